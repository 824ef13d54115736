//! The report in Simplified Chinese: every string and sentence of
//! [`Words`], in the source texts' vocabulary (差距1 不了解客户的期望 …
//! 差距5, 服务质量指数, 关键时刻).

use super::words::{Lang, List, Words};

/// Simplified Chinese.
pub struct Chinese;

impl Words for Chinese {
    fn lang(&self) -> Lang {
        Lang::Zh
    }

    fn title(&self) -> &'static str {
        "服务质量报告"
    }
    fn summary(&self) -> &'static str {
        "摘要"
    }
    fn inputs(&self) -> &'static str {
        "输入数据"
    }
    fn input_rows(&self, file: &str, read: u64, used: u64, rejected: u64) -> String {
        format!("{file}：读取 {read} 行，使用 {used} 行，剔除 {rejected} 行")
    }
    fn made_by(&self, version: &str) -> String {
        format!("由 servgap {version} 生成。数值与各命令的 JSON 输出一致；无法计算的数值显示为 —。")
    }
    fn checks(&self) -> &'static str {
        "检查结果"
    }
    fn no_checks(&self) -> &'static str {
        "未设置检查。"
    }
    fn passed(&self, yes: bool) -> &'static str {
        if yes {
            "通过"
        } else {
            "未通过"
        }
    }

    fn survey_section(&self) -> &'static str {
        "期望与感知（SERVQUAL，差距5）"
    }
    fn servqual_score(&self, score: &str, respondents: u64, scale: &str) -> String {
        format!("SERVQUAL 得分 {score}：感知减期望，{respondents} 位受访者，{scale} 分量表。")
    }
    fn work_on_first(&self, dimension: &str, gap: &str) -> String {
        format!("优先改进：{dimension}（差距 {gap}）。")
    }
    fn no_shortfall(&self) -> &'static str {
        "所有维度的感知均不低于期望。"
    }
    fn dimension_gaps_title(&self) -> &'static str {
        "各维度差距（95% 置信区间）"
    }
    fn gap_axis(&self, scale: &str) -> String {
        format!("差距：感知 − 期望（{scale} 分量表上的分数）")
    }
    fn gap_axis_short(&self) -> &'static str {
        "差距（分）"
    }
    fn dimension_gaps_reading(
        &self,
        dimension: &str,
        gap: &str,
        scale: &str,
        management: Option<&str>,
    ) -> String {
        let mut s = format!("{dimension}的差距最大：{gap}（{scale} 分量表）");
        if let Some(m) = management {
            s.push_str(&format!(
                "，且管理层低估了客户在这一维度的期望（差距1 {m}）"
            ));
        }
        s.push('。');
        s
    }
    fn dimension_gaps_none(&self) -> &'static str {
        "各维度的感知均达到或超过期望。"
    }
    fn items_title(&self) -> &'static str {
        "各题项的期望与感知"
    }
    fn score_axis(&self, scale: &str) -> String {
        format!("平均分（{scale} 分量表）")
    }
    fn expectation(&self) -> &'static str {
        "期望"
    }
    fn perception(&self) -> &'static str {
        "感知"
    }
    fn items_reading(&self, short: usize, total: usize, item: &str, gap: &str) -> String {
        format!("{total} 个题项中有 {short} 个感知低于期望；差距最大的是 {item}：{gap}。")
    }
    fn zone_title(&self) -> &'static str {
        "各题项的容忍区"
    }
    fn zone_band(&self) -> &'static str {
        "适当服务至理想服务"
    }
    fn zone_reading(&self, below: usize, above: usize, total: usize) -> String {
        format!("{total} 个题项中有 {below} 个的感知低于适当服务水平，{above} 个高于理想服务水平。")
    }
    fn ipa_title(&self) -> &'static str {
        "各维度的重要性与绩效"
    }
    fn importance(&self) -> &'static str {
        "重要性"
    }
    fn performance(&self) -> &'static str {
        "绩效（感知均值）"
    }
    fn quadrants(&self) -> [&'static str; 4] {
        ["重点改进", "继续保持", "次要改进", "过度投入"]
    }
    fn ipa_reading(&self, concentrate: &[String]) -> String {
        match concentrate {
            [] => "没有维度同时高于平均重要性且低于平均绩效。".into(),
            c => format!(
                "重点改进：{}（重要性高于平均，绩效低于平均）。",
                List(c, Lang::Zh)
            ),
        }
    }
    fn groups_title(&self) -> &'static str {
        "各分组的 SERVQUAL 得分"
    }
    fn groups_reading(&self, worst: &str, score: &str, best: &str, best_score: &str) -> String {
        format!("{worst}得分最低（{score}），{best}得分最高（{best_score}）。")
    }
    fn lowest_shown(&self, shown: usize, total: usize) -> String {
        format!("仅显示得分最低的 {shown} 个分组（共 {total} 个）。")
    }
    fn col_dimension(&self) -> &'static str {
        "维度"
    }
    fn col_respondents(&self) -> &'static str {
        "受访者"
    }
    fn col_gap(&self) -> &'static str {
        "差距"
    }
    fn col_ci(&self) -> &'static str {
        "95% 置信区间"
    }
    fn col_alpha(&self) -> &'static str {
        "信度 α（差距）"
    }
    fn col_unweighted(&self) -> &'static str {
        "SERVQUAL"
    }
    fn col_weighted(&self) -> &'static str {
        "加权"
    }

    fn gaps_section(&self) -> &'static str {
        "服务质量差距模型（差距1–5）"
    }
    fn gap_name(&self, k: usize, mot: bool) -> String {
        match k {
            1 => "差距1 不了解客户的期望（M − E）".into(),
            2 => "差距2 没能提出适当的服务方案（S − M）".into(),
            3 => "差距3 未能履行服务承诺（D − S）".into(),
            4 if mot => "差距4 自以为已经为客户创造价值（D − E）".into(),
            4 => "差距4 自以为已经为客户创造价值（D − C）".into(),
            _ => "差距5 客户期望与感知的差距（P − E）".into(),
        }
    }
    fn gap_short(&self, k: usize, mot: bool) -> String {
        let of = match k {
            1 => "M − E",
            2 => "S − M",
            3 => "D − S",
            4 if mot => "D − E",
            4 => "D − C",
            _ => "P − E",
        };
        format!("差距{k} {of}")
    }
    fn largest_gap(&self, gap: &str, value: &str) -> String {
        format!("差距模型中最大的短板：{gap}，全部维度平均 {value}。")
    }
    fn gaps_title(&self) -> &'static str {
        "各维度的差距1–5"
    }
    fn gaps_reading(&self, gap: &str, value: &str, dimension: &str, dim_value: &str) -> String {
        format!("{gap}是最大的短板（全部维度平均 {value}），在{dimension}最深（{dim_value}）。")
    }
    fn gaps_none(&self) -> &'static str {
        "差距1–4 均不是短板。"
    }
    fn overall(&self) -> &'static str {
        "总体"
    }

    fn compliance_section(&self) -> &'static str {
        "硬标准达成情况"
    }
    fn standards_missed(&self, missed: &[String]) -> String {
        match missed {
            [] => "所有硬标准均达到目标。".into(),
            m => format!("未达目标的硬标准：{}。", List(m, Lang::Zh)),
        }
    }
    fn compliance_title(&self) -> &'static str {
        "各标准的达成率（Wilson 95% 区间）"
    }
    fn compliance_axis(&self) -> &'static str {
        "达到标准的事件比例"
    }
    fn target(&self) -> &'static str {
        "目标"
    }
    fn compliance_reading(
        &self,
        missed: &[String],
        total: usize,
        worst: Option<(&str, &str, &str)>,
    ) -> String {
        match (missed, worst) {
            ([], _) => "在全部事件中，所有标准均达到目标。".into(),
            (m, Some((id, value, target))) => format!(
                "{total} 项标准中有 {} 项未达目标；{id} 差得最多：{value}，目标 {target}。",
                m.len()
            ),
            (m, None) => format!("{total} 项标准中有 {} 项未达目标。", m.len()),
        }
    }
    fn group_misses(&self, count: usize) -> String {
        format!("按分组和期间未达目标的情况（{count} 项）：")
    }
    fn col_standard(&self) -> &'static str {
        "标准"
    }
    fn col_compliance(&self) -> &'static str {
        "达成率"
    }
    fn col_result(&self) -> &'static str {
        "结果"
    }
    fn col_events(&self) -> &'static str {
        "事件数"
    }

    fn sqi_section(&self) -> &'static str {
        "服务质量指数（SQI）"
    }
    fn sqi_unit(&self, per: Option<&str>, grouped: bool) -> String {
        match (per, grouped) {
            (Some(p), _) => format!("点/每 {p} 单位业务量"),
            (None, true) => "点/每组每日".into(),
            (None, false) => "点/每日".into(),
        }
    }
    fn sqi_status(
        &self,
        period: &str,
        value: &str,
        unit: &str,
        limits: Option<(&str, &str)>,
        above: bool,
        below: bool,
    ) -> String {
        let place = match (limits, above, below) {
            (Some((_, ucl)), true, _) => format!("高于控制上限 {ucl}"),
            (Some((lcl, _)), _, true) => format!("低于控制下限 {lcl}"),
            (Some((lcl, ucl)), _, _) => format!("处于控制限 {lcl}–{ucl} 之内"),
            (None, _, _) => "无控制限".into(),
        };
        format!("服务质量指数，最近一期 {period}：{value} {unit}，{place}。")
    }
    fn sqi_checks(&self, failed: usize, total: usize) -> String {
        match failed {
            0 => format!("CI 检查：{total} 项全部通过。"),
            f => format!("CI 检查：{total} 项中有 {f} 项未通过。"),
        }
    }
    fn trend_title(&self, period: &str) -> String {
        format!("整体运营的每{period}指数与控制限")
    }
    fn trend_legend(&self) -> [&'static str; 3] {
        ["指数", "控制限", "失控"]
    }
    fn trend_reading(&self, out: usize, total: usize, last: &str, last_value: &str) -> String {
        format!("{total} 个期间中有 {out} 个失控；最近一期 {last} 为 {last_value}。")
    }
    fn worst_groups_title(&self, n: usize) -> String {
        match n {
            1 => "出现失控单元的分组".into(),
            n => format!("失控单元最多的 {n} 个分组"),
        }
    }
    fn worst_group(&self, group: &str, out: u64) -> String {
        format!("{group}：{out} 个失控")
    }
    fn worst_groups_reading(&self, group: &str, out: u64, cells: usize) -> String {
        format!("失控单元共 {cells} 个，{group}最多（{out} 个）。")
    }
    fn pareto_title(&self) -> &'static str {
        "各事件类别的扣分帕累托图"
    }
    fn points(&self) -> &'static str {
        "扣分"
    }
    fn cumulative(&self) -> &'static str {
        "累计占比"
    }
    fn pareto_reading(&self, vital: &[String], share: &str, total: usize) -> String {
        format!(
            "{total} 个类别中的 {} 个占了 {share} 的扣分：{}。",
            vital.len(),
            List(vital, Lang::Zh)
        )
    }
    fn col_category(&self) -> &'static str {
        "类别"
    }
    fn col_check(&self) -> &'static str {
        "检查"
    }
    fn col_limit(&self) -> &'static str {
        "上限"
    }
    fn col_breaches(&self) -> &'static str {
        "超限"
    }
    fn value_section(&self) -> &'static str {
        "客户价值"
    }
    fn deciles_title(&self) -> &'static str {
        "按利润排序的每十分之一客户的利润"
    }
    fn deciles_axes(&self) -> (&'static str, &'static str) {
        ("利润", "利润累计占比")
    }
    fn decile(&self, d: usize) -> String {
        format!("{}–{}%", (d - 1) * 10, d * 10)
    }
    fn value_reading(&self, top: &str, share: &str, gaps: Option<(&str, &str)>) -> String {
        match gaps {
            Some((g, rest)) => format!(
                "利润最高的 {top} 客户带来 {share} 的利润；他们的平均差距为 {g}，其余客户为 {rest}。"
            ),
            None => format!("利润最高的 {top} 客户带来 {share} 的利润。"),
        }
    }
    fn tiers_title(&self) -> &'static str {
        "每位客户的利润与麻烦"
    }
    fn tiers_axes(&self) -> (&'static str, &'static str) {
        ("麻烦（工单数，否则服务成本）", "利润")
    }
    fn tiers_corners(&self) -> [&'static str; 4] {
        [
            "大客户、麻烦少",
            "大客户且高服务",
            "小客户、麻烦少",
            "高服务客户",
        ]
    }
    fn tiers_reading(&self, count: u64, loss: &str) -> String {
        format!("{count} 位客户的服务成本高于其带来的利润：亏损 {loss}。")
    }
    fn chain_section(&self) -> &'static str {
        "服务链"
    }
    fn chain_title(&self) -> &'static str {
        "各环节需要的额外供给与余量"
    }
    fn chain_axis(&self) -> &'static str {
        "额外供给（占客户所得的 %）"
    }
    fn chain_margins(&self) -> (&'static str, &'static str) {
        ("简单余量（各环节损失之和）", "所需余量")
    }
    fn chain_reading(&self, naive: &str, delivered: &str, needed: &str) -> String {
        format!(
            "按各环节损失相加留出 {naive} 的余量，客户只得到 {delivered}；所需余量为 {needed}。"
        )
    }
    fn group_differences(&self, pairs: &[String]) -> String {
        format!(
            "各分组的总体差距存在显著差异（Welch t 检验，Holm 校正 p < 0.05）：{}。",
            List(pairs, Lang::Zh)
        )
    }
    fn no_group_differences(&self) -> &'static str {
        "各分组的总体差距无显著差异（Welch t 检验，Holm 校正 p ≥ 0.05）。"
    }
    fn reliability_title(&self) -> &'static str {
        "题项信度：删除后可提高 α 的题项"
    }
    fn reliability_reading(&self, items: &[String]) -> String {
        match items {
            [] => "删除任一题项都不会提高所在维度的 α。".into(),
            _ => format!(
                "删除 {} 可提高所在维度的 α：请检查其措辞或所属维度。",
                List(items, Lang::Zh)
            ),
        }
    }
    fn col_alpha_if_deleted(&self) -> &'static str {
        "删除后 α"
    }
    fn col_item(&self) -> &'static str {
        "题项"
    }
    fn signals_note(&self, count: usize, first: &[String], rules: &str) -> String {
        format!(
            "共 {count} 个单元触发 {rules} 判异规则：{}。",
            first.join("；")
        )
    }
    fn period_name(&self, kind: &str) -> &'static str {
        match kind {
            "week" => "周",
            "month" => "月",
            "quarter" => "季度",
            "year" => "年",
            _ => "日",
        }
    }
}
