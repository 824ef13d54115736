#!/usr/bin/env bash
# The md5 of every output of a servgap binary on the example and test data
# (every command in every format) and, with BIG=1, on the benchmark files:
# run it with the build before and after a change that must not change a
# byte, and diff the two lists.
#
#   bash benches/output_md5.sh target/release/servgap > after.txt
#   BIG=1 BENCH_DATA=/path/to/bench-data bash benches/output_md5.sh old/servgap > before.txt
set -u
S=$1
root=$(cd "$(dirname "$0")/.." && pwd)
D=$root/data
B=${BENCH_DATA:-$root/target/bench-data}
run() { local out; out=$("$S" "$@" 2>&1 | md5sum | cut -c1-12); echo "$out $*" | sed "s|$D/||g; s|$B/||g"; }
for f in table markdown json csv; do
  run survey $D/example_survey.csv --importance $D/example_importance.csv --by site --format $f
  run survey $D/example_survey.csv --by segment --by site --format $f
  run survey $D/tests/zone_long.csv --instrument $D/tests/mini_instrument.csv --format $f
  run survey $D/tests/mini_wide.csv --instrument $D/tests/mini_instrument.csv --importance $D/tests/mini_weights.csv --format $f
  run survey $D/reference/kiosk_servqual_cp949.csv --encoding cp949 --columns $D/kiosk/columns.csv --instrument $D/kiosk/instrument.csv --format $f
  run survey $D/reference/libqual_2003_as3.csv --instrument $D/tests/libqual_instrument.csv --scale 1-9 --by institution --format $f
  run gaps --customers $D/example_survey.csv --management $D/example_management.csv --standards $D/example_standards.csv --delivery $D/example_delivery.csv --by site --format $f
  run gaps --customers $D/example_survey.csv --management $D/example_management.csv --model mot --format $f
  run compliance $D/example_events.csv --standards $D/example_hard_standards.csv --by site --period month --format $f
  run sqi $D/example_incidents.csv --volume $D/example_volume.csv --by site --period week --max-per-unit 12 --format $f
  run sqi $D/example_incidents.csv --period month --max-points 2000 --check all --format $f
  run sqi $D/tests/sqi_small_incidents.csv --volume $D/tests/sqi_small_volume.csv --weights $D/tests/sqi_small_weights.csv --by site --format $f
  run sqi $D/reference/sqi_exercise_a_counts.csv --weights evans10 --volume $D/reference/sqi_exercise_a_volume.csv --format $f
  run compliance $D/example_events.csv --standards $D/example_hard_standards.csv --format $f
  run survey $D/reference/zarei2012_table2.csv --format $f
  run sqi $D/example_incidents.csv --by site --max-points 50 --format $f
done
if [ -n "${BIG:-}" ]; then
  shuf=$B/survey_long_1000000_shuffled.csv
  [ -f "$shuf" ] || "${PYTHON:-python3}" "$root/benches/shuffle.py" "$B/survey_long_1000000.csv" "$shuf"
  run survey $B/survey_long_1000000.csv --by segment --format json
  run survey $B/survey_wide_1000000.csv --by segment --format json
  run survey $B/survey_long_1000000_shuffled.csv --by segment --format json
  run survey $B/survey_long_1000000.csv --by segment --format csv
  run sqi $B/incidents_365x3000.csv --volume $B/volume_365x3000.csv --by site --format csv
  run sqi $B/incidents_365x3000.csv --volume $B/volume_365x3000.csv --by site --period week --format json
  run sqi $B/incidents_365x3000.csv --by site --period month --format table
fi
