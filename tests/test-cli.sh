#!/usr/bin/env bash
# medtwin-cli as scripts use it: commands, options, JSON keys, exit codes.
# Usage: test-cli.sh BUILD_ROOT DATA_DIR
set -u
cli=$1/app/medtwin-cli
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=$((failed + 1)); fi; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

# info --json on the real CT
if [ -d "$data/ct-thorax-abdomen" ]; then
  "$cli" info --json "$data/ct-thorax-abdomen" > "$tmp/info.json"; ok $? "info --json exits 0"
  [ "$(json "$tmp/info.json" "d['series'][0]['dimensions']")" = "[512, 512, 134]" ]; ok $? "info: dimensions [512, 512, 134]"
  [ "$(json "$tmp/info.json" "[round(x, 8) for x in d['series'][0]['spacing']]")" = "[1.07421875, 1.07421875, 3.0]" ]; ok $? "info: spacing"
  [ "$(json "$tmp/info.json" "d['series'][0]['origin']")" = "[-275.0, -178.1, 85.91]" ]; ok $? "info: origin"
  [ "$(json "$tmp/info.json" "d['series'][0]['direction']")" = "[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]" ]; ok $? "info: direction"
  [ "$(json "$tmp/info.json" "(d['series'][0]['min'], d['series'][0]['max'])")" = "(-1000.0, 1988.0)" ]; ok $? "info: min and max HU"
  "$cli" convert "$data/ct-thorax-abdomen" "$tmp/ct.nii" 2> "$tmp/convert.err"; ok $? "convert exits 0"
  [ "$(stat -c %s "$tmp/ct.nii")" = $((352 + 512 * 512 * 134 * 2)) ]; ok $? "convert: int16 NIfTI of the whole volume"
  "$cli" convert "$data/ct-thorax-abdomen" "$tmp/ct.nii.gz" 2>/dev/null && [ -s "$tmp/ct.nii.gz" ]; ok $? "convert: .nii.gz"
  # A 4 mm circle at the aorta's wall: pydicom finds the same 45 pixels.
  "$cli" measure "$data/ct-thorax-abdomen" --ellipse 22.56,118.38,355.91:26.56,122.38,355.91 --json > "$tmp/roi.json"; ok $? "measure --ellipse exits 0"
  [ "$(json "$tmp/roi.json" "[(m['kind'], m['voxels'], round(m['mean'], 2), round(m['sd'], 2), m['min'], m['max']) for m in d['measurements']][0]")" = "('ellipse', 45, 240.67, 62.91, 55.0, 295.0)" ]; ok $? "measure: circle statistics equal pydicom's"
else
  skip "info, convert and measure on the thorax CT" "no data at $data"
fi

# phantom, then info on what it wrote
"$cli" phantom -q --seed 3 "$tmp/demo" > /dev/null; ok $? "phantom exits 0"
for f in baseline/CT0001.dcm followup/CT0100.dcm truth/baseline-labels.nii.gz truth/followup-labels.nii.gz \
         truth/labels.json truth/followup-from-baseline.tfm truth/ecg.json ecg.csv; do
  [ -s "$tmp/demo/$f" ]; ok $? "phantom wrote $f"
done
"$cli" info --json "$tmp/demo/baseline" > "$tmp/demo.json"
[ "$(json "$tmp/demo.json" "d['series'][0]['dimensions']")" = "[256, 256, 100]" ]; ok $? "phantom: 256 x 256 x 100"
head -1 "$tmp/demo/truth/followup-from-baseline.tfm" | grep -q '^#Insight Transform File V1.0$'; ok $? "phantom: ITK transform header"
grep -q '^Transform: AffineTransform_double_3_3$' "$tmp/demo/truth/followup-from-baseline.tfm"; ok $? "phantom: AffineTransform_double_3_3"
[ "$(head -1 "$tmp/demo/ecg.csv")" = "time_s,mV" ]; ok $? "phantom: ecg.csv header"

# surface: the heart (label 6) as STL, its size and volume
"$cli" surface "$tmp/demo/truth/baseline-labels.nii.gz" --label 6 --out "$tmp/heart.stl" --json > "$tmp/surface.json"; ok $? "surface exits 0"
[ "$(json "$tmp/surface.json" "400 < d['volume_ml'] < 800 and d['triangles'] > 1000")" = "True" ]; ok $? "surface: a heart of 400-800 ml"
[ "$(stat -c %s "$tmp/heart.stl")" = "$(json "$tmp/surface.json" "84 + 50 * d['triangles']")" ]; ok $? "surface: binary STL of that many triangles"
"$cli" surface "$tmp/demo/truth/baseline-labels.nii.gz" --label 99 --out "$tmp/none.stl" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "99" "$tmp/err"; ok $? "surface of a missing label: exit 1, names it"

# segment: body and couch as a label map on the scan's grid
"$cli" segment "$tmp/demo/baseline" --tasks body,couch --out "$tmp/seg.nii.gz" --json > "$tmp/seg.json"; ok $? "segment exits 0"
[ "$(json "$tmp/seg.json" "[(s['name'], s['label']) for s in d['segments']]")" = "[('body', 1), ('couch', 2)]" ]; ok $? "segment: body 1, couch 2"
[ "$(json "$tmp/seg.json" "10000 < d['segments'][0]['volume_mL'] < 30000 and d['segments'][1]['mean_HU'] < d['segments'][0]['mean_HU']")" = "True" ]; ok $? "segment: volumes and mean HU"
"$cli" segment "$tmp/demo/baseline" --tasks body --out "$tmp/seg1.nii.gz" --csv "$tmp/seg.csv" -q > /dev/null; ok $? "segment --csv exits 0"
[ "$(head -1 "$tmp/seg.csv" | cut -d, -f1-7)" = "name,label,category,voxels,volume_mL,mean,sd" ] && grep -q "^body,1,tissue," "$tmp/seg.csv"; ok $? "segment --csv: a header and the body's row"
[ "$(json "$tmp/seg.json" "len(d['segments'][0]['bounding_box_mm']) == 6 and d['segments'][0]['sd_HU'] > 0")" = "True" ]; ok $? "segment --json: SD and bounding box"
"$cli" info --json "$tmp/seg.nii.gz" > "$tmp/seginfo.json"
[ "$(json "$tmp/seginfo.json" "d['series'][0]['dimensions']")" = "[256, 256, 100]" ]; ok $? "segment: the label map on the scan's grid"
[ "$(json "$tmp/seginfo.json" "[round(x, 3) for x in d['series'][0]['origin']]")" = "$(json "$tmp/demo.json" "[round(x, 3) for x in d['series'][0]['origin']]")" ]; ok $? "segment: and at its origin"
"$cli" segment "$tmp/demo/baseline" --tasks spleen --out "$tmp/x.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "body, couch, lungs, airway, skeleton, liver, kidneys, heart, aorta, fluid, nodule" "$tmp/err"; ok $? "segment: a task not available says which are"
# the organs, named as in the foundation issue; the nodule with its RECIST diameter
"$cli" segment "$tmp/demo/baseline" --tasks heart,aorta,kidneys,nodule --out "$tmp/organs.nii.gz" --json > "$tmp/organs.json"; ok $? "segment organs exits 0"
[ "$(json "$tmp/organs.json" "[s['name'] for s in d['segments']]")" = "['kidney_left', 'kidney_right', 'heart', 'aorta', 'nodule']" ]; ok $? "segment organs: named as in the foundation issue"
[ "$(json "$tmp/organs.json" "d['notes'] == [] and 400 < d['segments'][2]['volume_mL'] < 800 and 10 < max(s.get('longest_diameter_mm', 0) for s in d['segments']) < 16")" = "True" ]; ok $? "segment organs: heart volume, nodule diameter, no notes"
# growing from a point: the nodule through -418..200 HU (the phantom's nodule is 0.88 mL)
"$cli" segment "$tmp/demo/baseline" --grow=-88,-25,85 --grow-range=-418,200 --out "$tmp/grown.nii.gz" --json > "$tmp/grown.json"; ok $? "segment --grow exits 0"
[ "$(json "$tmp/grown.json" "d['segments'][0]['name'] == 'grown' and 0.80 < d['segments'][0]['volume_mL'] < 0.95")" = "True" ]; ok $? "segment --grow: the nodule's volume"
"$cli" segment "$tmp/demo/baseline" --grow=1,2 --out "$tmp/g.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "X,Y,Z" "$tmp/err"; ok $? "segment --grow with two numbers: exit 2, says the form"
# thresholds with the CT presets, and edits by name after the segments are made
"$cli" segment "$tmp/demo/baseline" --threshold bone --out "$tmp/bone.nii.gz" --json > "$tmp/bone.json"; ok $? "segment --threshold bone exits 0"
[ "$(json "$tmp/bone.json" "d['segments'][0]['name'] == 'bone' and 500 < d['segments'][0]['volume_mL'] < 900 and d['segments'][0]['mean_HU'] > 300")" = "True" ]; ok $? "segment --threshold bone: the skeleton and contrast, all above 300 HU"
"$cli" segment "$tmp/demo/baseline" --threshold cartilage --out "$tmp/t.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "contrast-blood" "$tmp/err"; ok $? "segment --threshold of no preset: exit 2, lists the presets"
"$cli" segment "$tmp/demo/baseline" --tasks nodule --edit margin:nodule:5 --edit label:nodule:TUMOR --out "$tmp/e.nii.gz" --csv "$tmp/e.csv" --json > "$tmp/e.json"; ok $? "segment --edit exits 0"
grep -q '"TUMOR"' "$tmp/e.csv" && [ "$(json "$tmp/e.json" "4 < d['segments'][0]['volume_mL'] < 9")" = "True" ]; ok $? "segment --edit: a 5 mm margin and the label TUMOR"
"$cli" segment "$tmp/demo/baseline" --tasks nodule --edit margin:liver:3 --out "$tmp/e2.nii.gz" -q > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "no segment of that name" "$tmp/err" && [ ! -e "$tmp/e2.nii.gz" ]; ok $? "segment --edit of a missing segment: exit 2, nothing written"
# a NIfTI label map read as segments, named by a JSON of name: value; off the grid, refused
"$cli" segment "$tmp/demo/baseline" --from-labels "$tmp/demo/truth/baseline-labels.nii.gz" --label-names "$tmp/demo/truth/labels.json" --edit close:nodule:2 --out "$tmp/fl.nii.gz" --json > "$tmp/fl.json"; ok $? "segment --from-labels exits 0"
[ "$(json "$tmp/fl.json" "[s['name'] for s in d['segments']][:4] == ['body', 'couch', 'lung_left', 'lung_right'] and len(d['segments']) == 13")" = "True" ]; ok $? "segment --from-labels: the truth's 13 segments by name"
if [ -d "$data/ct-thorax-abdomen" ]; then
  "$cli" segment "$data/ct-thorax-abdomen" --from-labels "$tmp/demo/truth/baseline-labels.nii.gz" --out "$tmp/x2.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "grid" "$tmp/err" && [ ! -e "$tmp/x2.nii.gz" ]; ok $? "segment --from-labels of another scan's map: exit 1, says why"
else
  skip "segment --from-labels of another scan's map" "no thorax CT"
fi
# register: the follow-up onto the baseline, against the phantom's own transform (mean TRE over 27 points of the trunk)
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --type rigid --out "$tmp/r.tfm" --resampled "$tmp/r.nii.gz" --json > "$tmp/r.json"; ok $? "register exits 0"
head -1 "$tmp/r.tfm" | grep -q "^#Insight Transform File V1.0" && grep -q "AffineTransform_double_3_3" "$tmp/r.tfm" && [ "$(json "$tmp/r.json" "d['type'] == 'rigid' and len(d['matrix']) == 9 and d['out'].endswith('r.tfm')")" = "True" ]; ok $? "register: an ITK transform file and its JSON"
tre=$(python3 - "$tmp/r.tfm" "$tmp/demo/truth/followup-from-baseline.tfm" <<'PY'
import sys, itertools, math
def load(p):
    lines = open(p).read().split('\n')
    par = [float(x) for x in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
    fix = [float(x) for x in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]]
    return par[:9], par[9:12], fix
def apply(t, p):
    m, tr, c = t
    d = [p[i] - c[i] for i in range(3)]
    return [sum(m[3 * r + k] * d[k] for k in range(3)) + c[r] + tr[r] for r in range(3)]
a, b = load(sys.argv[1]), load(sys.argv[2])
pts = list(itertools.product((-80, 0, 80), (-60, 0, 60), (-100, 0, 100)))
print('%.3f' % (sum(math.dist(apply(a, p), apply(b, p)) for p in pts) / len(pts)))
PY
)
awk -v t="$tre" 'BEGIN { exit !(t < 0.5) }'; ok $? "register: TRE $tre mm against the truth (under 0.5 mm)"
"$cli" info --json "$tmp/r.nii.gz" > "$tmp/rinfo.json"; [ "$(json "$tmp/rinfo.json" "d['series'][0]['dimensions']")" = "[256, 256, 100]" ]; ok $? "register --resampled: on the fixed scan's grid"
# the real thorax CT against a copy moved by scipy (5 degrees, 11 mm) that MedTwin did not make
src=$(dirname "$0")
if [ -d "$data/ct-thorax-abdomen" ] && /usr/bin/python3 -c "import scipy" 2> /dev/null; then
  "$cli" convert "$data/ct-thorax-abdomen" "$tmp/th.nii" > /dev/null
  /usr/bin/python3 "$src/make_moved.py" "$tmp/th.nii" "$tmp/thm.nii" 3 -2 4 8 -5 6
  "$cli" register "$tmp/th.nii" "$tmp/thm.nii" --out "$tmp/thr.tfm" -q > /dev/null; ok $? "register the thorax CT onto a moved copy exits 0"
  tre=$(/usr/bin/python3 "$src/tre.py" "$tmp/thr.tfm" "$tmp/thm.nii.tfm" -150 150 30 250 100 470)
  awk -v t="$tre" 'BEGIN { exit !(t < 0.2) }'; ok $? "register the thorax CT: TRE $tre mm over the trunk (under 0.2 mm; elastix, the peer run: 0.059)"
  "$cli" register "$tmp/th.nii" "$tmp/thm.nii" --metric mattes-mi --out "$tmp/thmi.tfm" --json > "$tmp/thmi.json"
  tre=$(/usr/bin/python3 "$src/tre.py" "$tmp/thmi.tfm" "$tmp/thm.nii.tfm" -150 150 30 250 100 470)
  [ "$(json "$tmp/thmi.json" "d['metric'] == 'mattes_mi' and d['metric_value'] > d['metric_before']")" = "True" ] && awk -v t="$tre" 'BEGIN { exit !(t < 0.2) }'; ok $? "register --metric mattes-mi on the thorax CT: TRE $tre mm (under 0.2 mm), MI rises"
  # affine: also scaled by 1.04, 0.97 and 1.02 along x, y, z
  /usr/bin/python3 "$src/make_moved.py" "$tmp/th.nii" "$tmp/tha.nii" 3 -2 4 8 -5 6 1.04 0.97 1.02
  "$cli" register "$tmp/th.nii" "$tmp/tha.nii" --type affine --out "$tmp/tha.tfm" -q > /dev/null; ok $? "register --type affine on the thorax CT exits 0"
  tre=$(/usr/bin/python3 "$src/tre.py" "$tmp/tha.tfm" "$tmp/tha.nii.tfm" -150 150 30 250 100 470)
  awk -v t="$tre" 'BEGIN { exit !(t < 1.0) }'; ok $? "register --type affine: TRE $tre mm over the trunk (under 1 mm)"
  # cubic resampling through the known move, against scipy's cubic B-spline at the same points
  "$cli" resample "$tmp/th.nii" --reference "$tmp/th.nii" --transform "$tmp/thm.nii.tfm" --interpolation cubic --out "$tmp/thc.nii"; ok $? "resample --interpolation cubic exits 0"
  read -r dmax dmean < <(/usr/bin/python3 "$src/cubic_check.py" "$tmp/th.nii" "$tmp/thc.nii" "$tmp/thm.nii.tfm")
  awk -v t="$dmax" 'BEGIN { exit !(t < 0.01) }'; ok $? "resample --interpolation cubic: within $dmax HU of scipy's cubic B-spline (mean $dmean)"
  rm -f "$tmp/thc.nii"
  # deformable: also warped by three smooth 8 mm bumps (sigma 45 mm), the truth solved point by point
  /usr/bin/python3 "$src/make_warped.py" "$tmp/th.nii" "$tmp/thw.nii" 3 -2 4 8 -5 6 8
  "$cli" register "$tmp/th.nii" "$tmp/thw.nii" --type deformable --out "$tmp/thw.tfm" --field "$tmp/thwf.nii" -q > /dev/null; ok $? "register --type deformable on the thorax CT exits 0"
  tre=$(/usr/bin/python3 "$src/tre_field.py" "$tmp/thwf.nii" "$tmp/thw.nii.json" -150 150 30 250 100 470 | cut -d' ' -f1)
  awk -v t="$tre" 'BEGIN { exit !(t < 1.5) }'; ok $? "register --type deformable: TRE $tre mm over the trunk against the smooth warp (under 1.5 mm)"
  rm -f "$tmp/thw.nii" "$tmp/thwf.nii"
else
  for t in "register the thorax CT onto a moved copy" "register the thorax CT: TRE" "register --metric mattes-mi on the thorax CT" "register --type affine on the thorax CT" "register --type affine: TRE" "register --type deformable on the thorax CT" "register --type deformable: TRE" "resample --interpolation cubic exits 0" "resample --interpolation cubic: within"; do
    skip "$t" "no thorax CT or no scipy"
  done
fi
# landmarks: five points of the baseline and where the phantom's true move sends them (a header, a comment, spaces and commas)
python3 - "$tmp/demo/truth/followup-from-baseline.tfm" > "$tmp/pairs.csv" <<'PY'
import sys
lines = open(sys.argv[1]).read().split('\n')
p = [float(x) for x in next(l for l in lines if l.startswith('Parameters:')).split()[1:]]
c = [float(x) for x in next(l for l in lines if l.startswith('FixedParameters:')).split()[1:]]
print('fixed_x,fixed_y,fixed_z,moving_x,moving_y,moving_z')
print('# five points of the trunk')
for x in ((-80, -40, -60), (90, -30, 10), (10, 70, -30), (0, 0, 90), (-40, 50, 40)):
    d = [x[i] - c[i] for i in range(3)]
    y = [sum(p[3 * r + k] * d[k] for k in range(3)) + c[r] + p[9 + r] for r in range(3)]
    print('%g, %g, %g  %.6f %.6f %.6f' % (tuple(x) + tuple(y)))
PY
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --landmarks "$tmp/pairs.csv" --out "$tmp/lm.tfm" --json > "$tmp/lm.json"; ok $? "register --landmarks exits 0"
tre=$(/usr/bin/python3 "$src/tre.py" "$tmp/lm.tfm" "$tmp/demo/truth/followup-from-baseline.tfm" -80 80 -60 60 -100 100)
[ "$(json "$tmp/lm.json" "d['method'] == 'landmarks' and d['landmarks'] == 5 and d['fre_rms_mm'] < 1e-4 and len(d['fre_mm']) == 5")" = "True" ] && awk -v t="$tre" 'BEGIN { exit !(t < 0.001) }'; ok $? "register --landmarks: five exact pairs give the true move back ($tre mm over the trunk), FRE per pair in the JSON"
printf '1,2,3,4,5,6\n7,8,9,10,11\n' > "$tmp/badpairs.csv"
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --landmarks "$tmp/badpairs.csv" --out "$tmp/x.tfm" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "line 2" "$tmp/err" && [ ! -e "$tmp/x.tfm" ]; ok $? "register --landmarks with a short line: exit 1, names the line"
head -3 "$tmp/pairs.csv" > "$tmp/two.csv"
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --landmarks "$tmp/two.csv" --out "$tmp/x.tfm" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "at least 3" "$tmp/err" && [ ! -e "$tmp/x.tfm" ]; ok $? "register --landmarks with one pair: exit 1, says three are needed"
# mesh: the demo's organs from its truth label map (names from labels.json beside it), closed 2-manifolds of the label volume
for organ in heart liver kidney_left lung_left; do
  "$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment $organ --out "$tmp/$organ.ply" --json > "$tmp/$organ.json"; ok $? "mesh --segment $organ exits 0"
  res=$(/usr/bin/python3 - "$tmp/$organ.ply" "$tmp/demo/truth/baseline-labels.nii.gz" "$(json "$tmp/demo/truth/labels.json" "d['$organ']")" "$tmp/$organ.json" <<'PY'
import gzip, json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
head, body = raw.split(b'end_header\n', 1)
nv = int(head.split(b'element vertex ')[1].split()[0]); nf = int(head.split(b'element face ')[1].split()[0])
faces = np.frombuffer(body[nv * 27:], dtype=np.dtype([('n', 'u1'), ('i', '<u4', 3)]), count=nf)['i']
edges = {}
for a, b, c in faces:
    for e in ((a, b), (b, c), (c, a)):
        edges[e] = edges.get(e, 0) + 1
manifold = all(n == 1 and edges.get((b, a), 0) == 1 for (a, b), n in edges.items())
lab = gzip.decompress(open(sys.argv[2], 'rb').read())
dims = struct.unpack('<8h', lab[40:56]); pix = struct.unpack('<8f', lab[76:108]); off = int(struct.unpack('<f', lab[108:112])[0])
dt = {2: np.uint8, 4: np.int16, 512: np.uint16}[struct.unpack('<h', lab[70:72])[0]]
v = np.frombuffer(lab[off:], dtype=dt, count=dims[1] * dims[2] * dims[3])
ml = (v == int(sys.argv[3])).sum() * pix[1] * pix[2] * pix[3] / 1000
d = json.load(open(sys.argv[4]))
print('%s %.1f %.1f' % (manifold and len(faces) == d['triangles'], d['volume_mL'], ml))
PY
)
  read -r closed mesh_ml label_ml <<< "$res"
  [ "$closed" = "True" ] && awk -v a="$mesh_ml" -v b="$label_ml" 'BEGIN { exit !(a > 0 && (a - b) / b < 0.03 && (b - a) / b < 0.03) }'; ok $? "mesh --segment $organ: a closed 2-manifold (every edge in two triangles, once each way), $mesh_ml mL against $label_ml mL of voxels (within 3%)"
done
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment spleen --out "$tmp/x.stl" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "heart" "$tmp/err" && [ ! -e "$tmp/x.stl" ]; ok $? "mesh --segment spleen: exit 1, lists the segments there are"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --smooth 10 --decimate 0.8 --out "$tmp/hd.ply" --json > "$tmp/hd.json"; ok $? "mesh --smooth 10 --decimate 0.8 exits 0"
[ "$(json "$tmp/hd.json" "d['triangles'] <= 0.2 * d['extracted_triangles'] + 2 and abs(d['volume_mL'] / $(json "$tmp/heart.json" "d['volume_mL']") - 1) < 0.02")" = "True" ] && [ "$(/usr/bin/python3 - "$tmp/hd.ply" <<'PY'
import sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
head, body = raw.split(b'end_header\n', 1)
nv = int(head.split(b'element vertex ')[1].split()[0]); nf = int(head.split(b'element face ')[1].split()[0])
faces = np.frombuffer(body[nv * 27:], dtype=np.dtype([('n', 'u1'), ('i', '<u4', 3)]), count=nf)['i']
edges = {}
for a, b, c in faces:
    for e in ((a, b), (b, c), (c, a)):
        edges[e] = edges.get(e, 0) + 1
print(all(n == 1 and edges.get((b, a), 0) == 1 for (a, b), n in edges.items()))
PY
)" = "True" ]; ok $? "mesh --decimate 0.8: the heart in a fifth of the triangles ($(json "$tmp/hd.json" "d['extracted_triangles']") to $(json "$tmp/hd.json" "d['triangles']")), still a closed 2-manifold, its volume within 2%"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --out "$tmp/h1.stl" > /dev/null && "$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --decimate 0.8 --out "$tmp/h2.stl" --json > "$tmp/h2.json"
"$cli" mesh-distance "$tmp/h1.stl" "$tmp/h1.stl" --json > "$tmp/md0.json" && "$cli" mesh-distance "$tmp/h1.stl" "$tmp/h2.stl" --json > "$tmp/md.json"; ok $? "mesh-distance exits 0"
[ "$(json "$tmp/md0.json" "d['mean_mm'] == 0 and d['hausdorff_mm'] == 0")" = "True" ] && [ "$(json "$tmp/md.json" "0 < d['mean_mm'] < 0.5 and abs(d['mean_mm'] - $(json "$tmp/h2.json" "d['decimate_mean_error_mm']")) < 0.01")" = "True" ]; ok $? "mesh-distance: a surface from itself 0 mm; the heart decimated by 80% $(json "$tmp/md.json" "'%.3f' % d['mean_mm']") mm on average, as mesh --json reports"
# exchange: the same heart as OBJ and PLY reads back onto its STL (0 mm apart); a PLY cut short is refused
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --out "$tmp/h1.obj" > /dev/null && "$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --out "$tmp/h1.ply" > /dev/null
"$cli" mesh-distance "$tmp/h1.stl" "$tmp/h1.obj" --json > "$tmp/mo.json" && "$cli" mesh-distance "$tmp/h1.stl" "$tmp/h1.ply" --json > "$tmp/mp.json"; ok $? "mesh-distance reads OBJ and PLY"
[ "$(json "$tmp/mo.json" "d['hausdorff_mm'] < 1e-3")" = "True" ] && [ "$(json "$tmp/mp.json" "d['hausdorff_mm'] < 1e-6")" = "True" ]; ok $? "OBJ and PLY out and back: the same surface as the STL (largest distance $(json "$tmp/mo.json" "'%.2g' % d['hausdorff_mm']") and $(json "$tmp/mp.json" "'%.2g' % d['hausdorff_mm']") mm)"
head -c 2000 "$tmp/h1.ply" > "$tmp/cut.ply"
"$cli" mesh-distance "$tmp/h1.stl" "$tmp/cut.ply" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "cut short" "$tmp/err"; ok $? "a PLY cut short: exit 1, says so"
"$cli" mesh-distance "$tmp/h1.stl" "$tmp/pairs.csv" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "pairs.csv" "$tmp/err"; ok $? "mesh-distance with a file that is no STL: exit 1, names it"
"$cli" mesh "$tmp/demo/baseline" --iso 300 --decimate 1.5 --out "$tmp/x.stl" > /dev/null 2>&1; [ $? = 2 ] && [ ! -e "$tmp/x.stl" ]; ok $? "mesh --decimate 1.5: exit 2"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --smooth 20 --out "$tmp/hs.stl" --json > "$tmp/hs.json"; ok $? "mesh --smooth 20 exits 0"
[ "$(json "$tmp/hs.json" "d['smooth_iterations'] == 20 and abs(d['volume_mL'] / $(json "$tmp/heart.json" "d['volume_mL']") - 1) < 0.01 and d['area_mm2'] < $(json "$tmp/heart.json" "d['area_mm2']")")" = "True" ]; ok $? "mesh --smooth 20: the heart keeps its volume within 1%, its staircase area shrinks ($(json "$tmp/heart.json" "round(d['area_mm2'])") to $(json "$tmp/hs.json" "round(d['area_mm2'])") mm²)"
# every segment into one OBJ (a group and a material each); RAS is LPS with x and y negated; a plane's cut capped
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment all --out "$tmp/all.obj" --json > "$tmp/all.json"; ok $? "mesh --segment all exits 0"
[ "$(grep -c '^g ' "$tmp/all.obj")" = "$(json "$tmp/all.json" "len(d['segments'])")" ] && [ "$(grep -c '^newmtl ' "$tmp/all.mtl")" = "$(json "$tmp/all.json" "len(d['segments'])")" ] && grep -q '^g heart$' "$tmp/all.obj" && [ "$(json "$tmp/all.json" "len(d['segments']) == 13 and d['triangles'] == sum(s['triangles'] for s in d['segments'])")" = "True" ]; ok $? "mesh --segment all: the 13 segments as 13 OBJ groups with 13 materials"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --space RAS --out "$tmp/h-ras.ply" > /dev/null
[ "$(/usr/bin/python3 - "$tmp/h1.ply" "$tmp/h-ras.ply" <<'PY'
import sys
import numpy as np
def verts(p):
    raw = open(p, 'rb').read(); head, body = raw.split(b'end_header\n', 1)
    nv = int(head.split(b'element vertex ')[1].split()[0])
    return head, np.frombuffer(body, dtype=np.dtype([('p', '<f4', 3), ('n', '<f4', 3), ('c', 'u1', 3)]), count=nv)['p']
hl, l = verts(sys.argv[1]); hr, r = verts(sys.argv[2])
print(b'SPACE=LPS' in hl and b'SPACE=RAS' in hr and np.allclose(r, l * [-1, -1, 1]))
PY
)" = "True" ]; ok $? "mesh --space RAS: x and y negated, the header says SPACE=RAS (LPS by default)"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --smooth 10 --clip-plane 0,0,1,-10 --out "$tmp/hc.stl" --json > "$tmp/hc.json"; ok $? "mesh --clip-plane exits 0"
[ "$(json "$tmp/hc.json" "d['open_edges'] == 0 and 0.1 < d['volume_mL'] / $(json "$tmp/heart.json" "d['volume_mL']") < 0.9")" = "True" ]; ok $? "mesh --clip-plane: the heart below z = 10 mm, capped: 0 open edges, $(json "$tmp/hc.json" "round(d['volume_mL'])") of $(json "$tmp/heart.json" "round(d['volume_mL'])") mL"
"$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart --smooth 10 --remesh 2 --out "$tmp/hr.ply" --json > "$tmp/hr.json"; ok $? "mesh --remesh 2 exits 0"
res=$(/usr/bin/python3 - "$tmp/hr.ply" <<'PY'
import sys
import numpy as np
raw = open(sys.argv[1], 'rb').read(); head, body = raw.split(b'end_header\n', 1)
nv = int(head.split(b'element vertex ')[1].split()[0]); nf = int(head.split(b'element face ')[1].split()[0])
v = np.frombuffer(body, dtype=np.dtype([('p', '<f4', 3), ('n', '<f4', 3), ('c', 'u1', 3)]), count=nv)['p'].astype(float)
f = np.frombuffer(body[nv * 27:], dtype=np.dtype([('n', 'u1'), ('i', '<u4', 3)]), count=nf)['i']
e = np.concatenate([np.linalg.norm(v[f[:, a]] - v[f[:, (a + 1) % 3]], axis=1) for a in range(3)])
print('%.3f %.3f' % (e.mean(), e.std()))
PY
)
read -r edge_mean edge_sd <<< "$res"
[ "$(json "$tmp/hr.json" "d['open_edges'] == 0 and abs(d['volume_mL'] / $(json "$tmp/heart.json" "d['volume_mL']") - 1) < 0.01 and abs($edge_mean - 2) < 0.2 and $edge_sd < 0.3")" = "True" ]; ok $? "mesh --remesh 2: the heart closed, its volume within 1%, edges $edge_mean mm (SD $edge_sd)"
for bad in "--clip-plane 0,0,0,5" "--clip-box 1,2,3" "--space XYZ" "--remove-pieces 2" "--remesh -1"; do
  "$cli" mesh "$tmp/demo/truth/baseline-labels.nii.gz" --segment heart $bad --out "$tmp/x.stl" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && [ -s "$tmp/err" ] && [ ! -e "$tmp/x.stl" ]; ok $? "mesh $bad: exit 2, says why, writes nothing"
done
# ecg: MIT-BIH record 100 scored against its annotations, the DICOM 12-lead ECG against pydicom, the demo's CSV against its truth
if [ -f "$data/ecg/100.hea" ]; then
  "$cli" ecg "$data/ecg/100" --reference "$data/ecg/100.atr" --json > "$tmp/ecg100.json"; ok $? "ecg 100 exits 0"
  [ "$(json "$tmp/ecg100.json" "d['sampling_rate_hz'] == 360 and d['leads'] == ['MLII', 'V5'] and d['sensitivity'] >= 0.99 and d['positive_predictivity'] >= 0.99 and abs(d['heart_rate_bpm'] - 75.5) < 0.5 and len(d['r_peaks']) > 2200 and all(type(r) is int for r in d['r_peaks'])")" = "True" ]; ok $? "ecg 100: 360 Hz, $(json "$tmp/ecg100.json" "len(d['r_peaks'])") R-peaks, sensitivity $(json "$tmp/ecg100.json" "'%.4f' % d['sensitivity']"), positive predictivity $(json "$tmp/ecg100.json" "'%.4f' % d['positive_predictivity']"), $(json "$tmp/ecg100.json" "'%.2f' % d['heart_rate_bpm']") beats a minute"
  "$cli" ecg "$data/ecg/pydicom_waveform_ecg.dcm" --csv "$tmp/w.csv" --json > "$tmp/ecgdcm.json"; ok $? "ecg on the DICOM 12-lead ECG exits 0"
  [ "$(/usr/bin/python3 - "$data/ecg/pydicom_waveform_ecg.dcm" "$tmp/w.csv" "$tmp/ecgdcm.json" <<'PY'
import json, sys
import numpy as np, pydicom
a = pydicom.dcmread(sys.argv[1]).waveform_array(0) / 1000.0
m = np.loadtxt(sys.argv[2], delimiter=',', skiprows=1)[:, 1:]
d = json.load(open(sys.argv[3]))
print(a.shape == m.shape and np.abs(a - m).max() < 1e-4 and d['sampling_rate_hz'] == 1000 and len(d['leads']) == 12 and 50 < d['heart_rate_bpm'] < 100)
PY
)" = "True" ]; ok $? "ecg DICOM: 12 leads of 10,000 samples equal to pydicom's mV, $(json "$tmp/ecgdcm.json" "'%.1f' % d['heart_rate_bpm']") beats a minute"
  "$cli" ecg "$data/ecg/100" --lead 3 > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "1 to 2" "$tmp/err"; ok $? "ecg --lead 3 on a two-lead record: exit 2, says which leads there are"
else
  skip "ecg on MIT-BIH 100 and the DICOM ECG" "no ECG data"
fi
"$cli" ecg "$tmp/demo/ecg.csv" --json > "$tmp/ecgcsv.json"; ok $? "ecg on the demo's CSV exits 0"
truth_peaks="json.load(open('$tmp/demo/truth/ecg.json'))"
[ "$(json "$tmp/ecgcsv.json" "len(d['r_peaks']) == len($truth_peaks['r_peaks']) and max(min(abs(a - b) for a in d['r_peaks']) for b in $truth_peaks['r_peaks']) <= 1 and abs(d['heart_rate_bpm'] - $truth_peaks['heart_rate_bpm']) < 0.5")" = "True" ]; ok $? "ecg on the demo: every true R-peak found within one sample, $(json "$tmp/ecgcsv.json" "'%.2f' % d['heart_rate_bpm']") beats a minute"
"$cli" ecg "$tmp/pairs.csv" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "pairs.csv" "$tmp/err"; ok $? "ecg on a CSV that is no ECG: exit 1, names it"
# anatomy: the demo's organs as a graph from its truth (names from labels.json beside it)
"$cli" anatomy "$tmp/demo/truth/baseline-labels.nii.gz" --json > "$tmp/anatomy.json"; ok $? "anatomy --json exits 0"
[ "$(json "$tmp/anatomy.json" "(lambda n: 'heart' in n and 'lung_left' in n['heart']['touches'] and 'lung_right' in n['heart']['touches'] and 'heart' in n['aorta']['touches'] and n['heart']['centroid_mm'][0] > 0 and [p['name'] for p in n['heart']['ports']] == ['heart_rate', 'contractility', 'ecg'] and [p['name'] for p in n['lung_left']['ports']] == ['respiratory_rate', 'tidal_volume'] and [p['name'] for p in n['aorta']['ports']] == ['pressure', 'flow'] and n['aorta']['centreline']['branches'][0]['length_mm'] > 340 and 8 < sorted(n['aorta']['centreline']['branches'][0]['radii_mm'])[len(n['aorta']['centreline']['branches'][0]['radii_mm']) // 2] < 14 and 'centreline' not in n['heart'])({x['name']: x for x in d['nodes']})")" = "True" ]; ok $? "anatomy: the heart touches both lungs, the aorta leaves it, the heart lies left; ports for heart, lungs and aorta; the aorta's centreline $(json "$tmp/anatomy.json" "[x for x in d['nodes'] if x['name'] == 'aorta'][0]['centreline']['branches'][0]['length_mm']") mm long"
[ "$(json "$tmp/anatomy.json" "(lambda f: d['findings']['disclaimer'] == 'Decision support, not a diagnosis.' and f['liver_volume_mL']['status'] == 'normal' and abs(f['liver_volume_mL']['value'] - [x for x in d['nodes'] if x['name'] == 'liver'][0]['volume_mL']) < 1e-6 and f['lung_volume_L']['status'] == 'low')({x['key']: x for x in d['findings']['findings']})")" = "True" ]; ok $? "anatomy findings: the demo's liver in its range, its small lungs below it; labelled not a diagnosis"
"$cli" anatomy "$tmp/demo/baseline" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "segment" "$tmp/err"; ok $? "anatomy on a scan: exit 1, says to segment it first"
# physio: the resting adult within the issue's bands; the direction of change for a fast heart, a weak one, narrow vessels
"$cli" physio --json > "$tmp/physio.json"; ok $? "physio --json exits 0"
[ "$(json "$tmp/physio.json" "all(k in d for k in ('heart_rate_bpm', 'systolic_mmHg', 'diastolic_mmHg', 'stroke_volume_mL', 'ejection_fraction', 'cardiac_output_L_min', 'respiratory_rate_per_min', 'tidal_volume_L')) and abs(d['systolic_mmHg'] / 120 - 1) < 0.1 and abs(d['diastolic_mmHg'] / 80 - 1) < 0.1 and 60 <= d['stroke_volume_mL'] <= 80 and 0.55 <= d['ejection_fraction'] <= 0.65 and 4.5 <= d['cardiac_output_L_min'] <= 6.5 and abs(d['tidal_volume_L'] - 0.5) < 0.05 and d['respiratory_rate_per_min'] == 14")" = "True" ]; ok $? "physio at rest: $(json "$tmp/physio.json" "'%.0f/%.0f mmHg, SV %.0f mL, EF %.2f, CO %.2f L/min, %.2f L breaths' % (d['systolic_mmHg'], d['diastolic_mmHg'], d['stroke_volume_mL'], d['ejection_fraction'], d['cardiac_output_L_min'], d['tidal_volume_L'])")"
"$cli" physio --hr 120 --json > "$tmp/p-fast.json" && "$cli" physio --contractility 0.5 --json > "$tmp/p-weak.json" && "$cli" physio --resistance 1.5 --rr 20 --json > "$tmp/p-narrow.json"; ok $? "physio --hr, --contractility, --resistance, --rr exit 0"
rest="json.load(open('$tmp/physio.json'))"
[ "$(json "$tmp/p-fast.json" "d['heart_rate_bpm'] == 120 and d['cardiac_output_L_min'] > $rest['cardiac_output_L_min'] and d['stroke_volume_mL'] < $rest['stroke_volume_mL']")" = "True" ] && [ "$(json "$tmp/p-weak.json" "d['ejection_fraction'] < $rest['ejection_fraction'] - 0.1 and d['systolic_mmHg'] < $rest['systolic_mmHg'] - 10")" = "True" ] && [ "$(json "$tmp/p-narrow.json" "d['diastolic_mmHg'] > $rest['diastolic_mmHg'] + 10 and d['respiratory_rate_per_min'] == 20")" = "True" ]; ok $? "physio: a fast heart pumps more in smaller strokes, a weak one ejects less at lower pressure, narrow vessels raise the pressure"
[ "$(json "$tmp/physio.json" "all(x['status'] == 'normal' for x in d['findings']['findings'])")" = "True" ] && [ "$(json "$tmp/p-weak.json" "(lambda f: f['ejection_fraction']['status'] == 'low' and f['ejection_fraction']['value'] == d['ejection_fraction'])({x['key']: x for x in d['findings']['findings']})")" = "True" ] && "$cli" physio --contractility 0.4 | grep -q "▼ Ejection fraction"; ok $? "physio findings: all normal at rest; half the contractility flags the ejection fraction low"
for bad in "--hr 0" "--contractility -1" "--seconds 5" "--rr 100"; do
  "$cli" physio $bad > /dev/null 2> "$tmp/err"; [ $? = 2 ] && [ -s "$tmp/err" ]; ok $? "physio $bad: exit 2, says why"
done
# mesh --iso on the real thorax CT at 300 HU against VTK's flying edges on the same series and value
if [ -d "$data/ct-thorax-abdomen" ]; then
  "$cli" mesh "$data/ct-thorax-abdomen" --iso 300 --out "$tmp/bone.obj" --json > "$tmp/bone.json"; ok $? "mesh --iso 300 on the thorax CT exits 0"
  if /usr/bin/python3 -c "import vtk" 2> /dev/null && [ -f "$data/../peers/vtk_flyingedges.py" ]; then
    vtk_tris=$(/usr/bin/python3 "$data/../peers/vtk_flyingedges.py" "$data/ct-thorax-abdomen" 300 | awk '{ print $2 }')
    [ "$(json "$tmp/bone.json" "abs(d['triangles'] - $vtk_tris) <= 0.02 * $vtk_tris and d['volume_mL'] > 0 and d['area_mm2'] > 0")" = "True" ]; ok $? "mesh --iso 300: $(json "$tmp/bone.json" "d['triangles']") triangles against VTK's $vtk_tris (within 2%)"
  else
    skip "mesh --iso 300: triangles against VTK's" "no python3-vtk9"
  fi
  # decimated by 90% (the bench's case): a tenth of the triangles, the open rim where the scan ends kept
  # edge for edge, every edge still in one or two triangles, the surface moved a quarter millimetre at most on average
  "$cli" mesh "$data/ct-thorax-abdomen" --iso 300 --decimate 0.9 --out "$tmp/boned.obj" --json > "$tmp/boned.json"
  manifold=$(/usr/bin/python3 - "$tmp/boned.obj" <<'PY'
import collections, sys
count = collections.Counter()
for line in open(sys.argv[1]):
    if line.startswith('f '):
        v = [int(x.split('/')[0]) for x in line.split()[1:]]
        for i in range(3):
            count[tuple(sorted((v[i], v[(i + 1) % 3])))] += 1
print(all(c in (1, 2) for c in count.values()))
PY
)
  [ "$manifold" = "True" ] && [ "$(json "$tmp/boned.json" "abs(d['triangles'] - d['extracted_triangles'] / 10) <= 1 and d['open_edges'] == $(json "$tmp/bone.json" "d['open_edges']") and d['decimate_mean_error_mm'] < 0.25")" = "True" ]; ok $? "mesh --decimate 0.9 on the thorax bone: $(json "$tmp/boned.json" "d['extracted_triangles']") to $(json "$tmp/boned.json" "d['triangles']") triangles, $(json "$tmp/boned.json" "d['open_edges']") open edges as before, every edge in one or two triangles, $(json "$tmp/boned.json" "'%.3f' % d['decimate_mean_error_mm']") mm moved on average"
  grep -q "^mtllib bone.mtl" "$tmp/bone.obj" && grep -q "^Kd " "$tmp/bone.mtl" && [ "$(grep -c '^f ' "$tmp/bone.obj")" = "$(json "$tmp/bone.json" "d['triangles']")" ]; ok $? "mesh --out .obj: one face a triangle, its material beside it"
  # refined and cut for printing: specks gone, holes closed, a box capped; admesh (Debian) reads the same facts
  "$cli" mesh "$data/ct-thorax-abdomen" --iso 300 --remove-pieces 0.001 --fill-holes --clip-box=-100,100,0,200,200,350 --out "$tmp/bone-box.stl" --json > "$tmp/bone-box.json"; ok $? "mesh --remove-pieces --fill-holes --clip-box exits 0"
  [ "$(json "$tmp/bone-box.json" "d['open_edges'] == 0 and d['pieces_removed'] > 100 and d['holes_filled'] > 0")" = "True" ]; ok $? "mesh: the thorax bone cut to a box is closed ($(json "$tmp/bone-box.json" "d['pieces_removed']") specks removed, $(json "$tmp/bone-box.json" "d['holes_filled']") holes filled, 0 open edges)"
  if command -v admesh > /dev/null; then
    admesh "$tmp/bone-box.stl" > "$tmp/admesh.txt" 2>&1
    res=$(python3 - "$tmp/admesh.txt" "$tmp/bone-box.json" <<'PY'
import json, re, sys
t = open(sys.argv[1]).read(); d = json.load(open(sys.argv[2]))
facets = int(re.search(r'Number of facets\s*:\s*(\d+)', t).group(1))
loose = int(re.search(r'Total disconnected facets\s*:\s*(\d+)', t).group(1))
backwards = int(re.search(r'Backwards edges\s*:\s*(\d+)', t).group(1))
reversed_ = int(re.search(r'Facets reversed\s*:\s*(\d+)', t).group(1))
vol = float(re.search(r'Volume\s*:\s*([-\d.]+)', t).group(1)) / 1000
box = [float(x) for x in re.findall(r'(?:Min|Max) [XYZ] =\s*([-\d.]+)', t)]
good = (facets == d['triangles'] and loose == 0 and backwards == 0 and reversed_ == 0 and abs(vol / d['volume_mL'] - 1) < 0.001
        and abs(box[0] + 100) < 0.01 and abs(box[1] - 100) < 0.01 and abs(box[4] - 200) < 0.01 and abs(box[5] - 350) < 0.01)
print(good, facets, '%.3f' % vol, '%.3f' % d['volume_mL'])
PY
)
    read -r good facets avol mvol <<< "$res"
    [ "$good" = "True" ]; ok $? "admesh reads the cut bone STL: $facets facets as written, none loose, none reversed, volume $avol mL against $mvol mL, the box's faces where cut"
  else
    skip "admesh reads the cut bone STL" "no admesh"
  fi
else
  skip "mesh --iso 300 on the thorax CT exits 0" "no thorax CT"
  skip "mesh --iso 300: triangles against VTK's" "no thorax CT"
  skip "mesh --out .obj" "no thorax CT"
  skip "mesh --decimate 0.9 on the thorax bone" "no thorax CT"
fi
# the real MR pair: the same head lying supine and prone, two frames of reference; Mattes MI by default
if [ -d "$data/mr-decubitus" ] && /usr/bin/python3 -c "import scipy" 2> /dev/null; then
  "$cli" convert "$data/mr-decubitus/HFS" "$tmp/hfs.nii" > /dev/null && "$cli" convert "$data/mr-decubitus/HFP" "$tmp/hfp.nii" > /dev/null
  "$cli" register "$data/mr-decubitus/HFS" "$data/mr-decubitus/HFP" --out "$tmp/mr.tfm" --json > "$tmp/mr.json"; ok $? "register the MR pair (HFS, HFP) exits 0"
  [ "$(json "$tmp/mr.json" "d['metric'] == 'mattes_mi' and d['init'] == 'moments' and d['metric_value'] > 2 * d['metric_before']")" = "True" ]; ok $? "register the MR pair: Mattes MI by default, started from the centres of mass (two frames of reference), MI rises $(json "$tmp/mr.json" "'%.3f to %.3f' % (d['metric_before'], d['metric_value'])")"
  before=$(/usr/bin/python3 "$src/surface_distance.py" "$tmp/hfs.nii" "$tmp/hfp.nii" --top 120 | cut -d' ' -f1)
  after=$(/usr/bin/python3 "$src/surface_distance.py" "$tmp/hfs.nii" "$tmp/hfp.nii" "$tmp/mr.tfm" --top 120 | cut -d' ' -f1)
  awk -v a="$after" -v b="$before" 'BEGIN { exit !(a < 2 && b > 10) }'; ok $? "register the MR pair: the head surfaces (top 120 mm) $before mm apart before, $after mm after (under 2 mm)"
  all=$(/usr/bin/python3 "$src/surface_distance.py" "$tmp/hfs.nii" "$tmp/hfp.nii" "$tmp/mr.tfm" | cut -d' ' -f1)
  awk -v a="$all" 'BEGIN { exit !(a < 3) }'; ok $? "register the MR pair: the whole imaged surface, neck included (it bends between the two), $all mm"
  "$cli" register "$data/mr-decubitus/HFS" "$data/mr-decubitus/HFP" --metric ncc --out "$tmp/mrn.tfm" -q > /dev/null
  tre=$(/usr/bin/python3 "$src/tre.py" "$tmp/mrn.tfm" "$tmp/mr.tfm" -80 80 -100 100 -80 80)
  awk -v t="$tre" 'BEGIN { exit !(t < 1.5) }'; ok $? "register --metric ncc on the MR pair: within $tre mm of Mattes MI over the head"
else
  for t in "register the MR pair (HFS, HFP)" "register the MR pair: Mattes MI" "register the MR pair: the head surfaces" "register the MR pair: the whole" "register --metric ncc"; do
    skip "$t" "no MR pair or no scipy"
  done
fi
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --metric cosine --out "$tmp/x.tfm" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "mattes-mi" "$tmp/err" && [ ! -e "$tmp/x.tfm" ]; ok $? "register --metric cosine: exit 2, names the metrics it knows"
# reorient: the sagittal MR's voxel axes turned to RAS, exactly: every voxel keeps its value at its place in the patient
if [ -d "$data/mr-decubitus" ]; then
  "$cli" convert "$data/mr-decubitus/HFS" "$tmp/hfs0.nii" > /dev/null
  "$cli" crop "$data/mr-decubitus/HFS" --reorient RAS --out "$tmp/ras.nii" --json > "$tmp/ras.json"; ok $? "crop --reorient RAS exits 0"
  same=$(/usr/bin/python3 - "$tmp/hfs0.nii" "$tmp/ras.nii" <<'PY'
import struct, sys
import numpy as np
def load(p):
    raw = open(p, 'rb').read()
    dims = struct.unpack('<8h', raw[40:56]); dt = struct.unpack('<h', raw[70:72])[0]; off = int(struct.unpack('<f', raw[108:112])[0])
    nx, ny, nz = dims[1:4]
    v = np.frombuffer(raw[off:], dtype={4: np.int16, 16: np.float32, 512: np.uint16}[dt], count=nx * ny * nz).reshape(nz, ny, nx)
    a = np.eye(4); a[:3, :] = np.array(struct.unpack('<12f', raw[280:328])).reshape(3, 4)
    return v.astype(float), a
a, aa = load(sys.argv[1]); b, ab = load(sys.argv[2])
m = np.linalg.inv(ab) @ aa
rng = np.random.default_rng(1); bad = 0
for _ in range(500):
    i, j, k = (int(rng.integers(0, n)) for n in a.shape[::-1])
    q = (m @ [i, j, k, 1])[:3]; r = np.round(q).astype(int)
    bad += np.abs(q - r).max() > 1e-3 or a[k, j, i] != b[r[2], r[1], r[0]]
print(bad == 0 and np.allclose(np.sign(np.diag(ab[:3, :3])), [1, 1, 1]))
PY
)
  [ "$same" = "True" ] && [ "$(json "$tmp/ras.json" "d['dimensions'] == [35, 256, 256] and [round(x) for x in d['direction']] == [-1, 0, 0, 0, -1, 0, 0, 0, 1]")" = "True" ]; ok $? "crop --reorient RAS: 35 x 256 x 256, axes to R, A and S, 500 voxels with the same value at the same place"
else
  skip "crop --reorient RAS exits 0" "no MR pair"
  skip "crop --reorient RAS: the same voxels" "no MR pair"
fi
"$cli" crop "$tmp/demo/baseline" --reorient XYZ --out "$tmp/xyz.nii" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "no orientation" "$tmp/err" && [ ! -e "$tmp/xyz.nii" ]; ok $? "crop --reorient XYZ: exit 1, says what a code is"
# follow-up: the nodule's growth against the truth's (voxel counts of label 12 in both truth maps), within 5%
"$cli" follow-up "$tmp/demo/baseline" "$tmp/demo/followup" --json > "$tmp/fu.json"; ok $? "follow-up exits 0"
truth=$(python3 - "$tmp/demo/truth/baseline-labels.nii.gz" "$tmp/demo/truth/followup-labels.nii.gz" <<'PY'
import array, gzip, struct, sys
def count(path, label=12):
    raw = gzip.open(path).read()
    dt = struct.unpack('<h', raw[70:72])[0]
    off = int(struct.unpack('<f', raw[108:112])[0])
    a = array.array({2: 'B', 4: 'h', 512: 'H'}[dt], raw[off:])
    return sum(1 for v in a if v == label)
print(count(sys.argv[2]) / count(sys.argv[1]))
PY
)
[ "$(json "$tmp/fu.json" "len(d['lesions']) == 1 and d['days'] == 151 and abs(d['lesions'][0]['followup_mL'] / d['lesions'][0]['baseline_mL'] / $truth - 1) < 0.05 and 100 < d['lesions'][0]['doubling_days'] < 250")" = "True" ]; ok $? "follow-up: one nodule, grown by the truth's ratio ($truth) within 5%, 151 days, its doubling time"
# crop: to a box in mm (100 x 100 x 60 mm on 1.40625 x 1.40625 x 3 mm voxels) and to the body, resampled to 2 mm cubes
"$cli" crop "$tmp/demo/baseline" --box=-50,50,-50,50,0,60 --out "$tmp/c.nii.gz" --json > "$tmp/c.json"; ok $? "crop --box exits 0"
[ "$(json "$tmp/c.json" "d['dimensions'] == [72, 71, 21] and d['spacing'] == [1.40625, 1.40625, 3.0]")" = "True" ]; ok $? "crop --box: the voxels inside the box"
"$cli" crop "$tmp/demo/baseline" --to-body --margin 5 --isotropic 2 --out "$tmp/cb.nii.gz" --json > "$tmp/cb.json"; ok $? "crop --to-body --isotropic exits 0"
[ "$(json "$tmp/cb.json" "d['spacing'] == [2.0, 2.0, 2.0] and d['voxel_fraction'] < 0.9 and 150 < d['dimensions'][0] * 2 < 360")" = "True" ]; ok $? "crop --to-body: the body's width in 2 mm cubes, fewer voxels"
"$cli" crop "$tmp/demo/baseline" --box=500,600,0,10,0,10 --out "$tmp/c3.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "does not meet" "$tmp/err"; ok $? "crop to a box off the scan: exit 1, says so"
# deformable on the demo: the follow-up moved rigidly (and its nodule grew); the B-spline must not invent a deformation
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --type deformable --out "$tmp/d.tfm" --field "$tmp/d.nii" --resampled "$tmp/dr.nii" --json > "$tmp/d.json"; ok $? "register --type deformable on the demo exits 0"
grep -q "^Transform: CompositeTransform_double_3_3" "$tmp/d.tfm" && grep -q "^Transform: BSplineTransform_double_3_3" "$tmp/d.tfm" && [ "$(json "$tmp/d.json" "d['type'] == 'deformable' and d['metric'] == 'mean_squares' and d['grid_spacing_mm'] == 25 and len(d['control_points']) == 3")" = "True" ]; ok $? "register --type deformable: an ITK composite (affine, B-spline) and its JSON"
if /usr/bin/python3 -c "import scipy" 2> /dev/null; then
  tre=$(/usr/bin/python3 "$src/tre_field_tfm.py" "$tmp/d.nii" "$tmp/demo/truth/followup-from-baseline.tfm" -80 80 -60 60 -100 100 | cut -d' ' -f1)
  awk -v t="$tre" 'BEGIN { exit !(t < 0.5) }'; ok $? "register --type deformable on the demo: $tre mm from the true rigid move over the trunk (under 0.5 mm)"
  # The file as ITK defines it (evaluated in numpy) against the field MedTwin wrote
  agree=$(/usr/bin/python3 - "$tmp/d.nii" "$src/itk_tfm.py" "$tmp/d.tfm" <<'PY'
import struct, subprocess, sys
import numpy as np
from scipy import ndimage
raw = open(sys.argv[1], 'rb').read()
dims = struct.unpack('<8h', raw[40:56]); off = int(struct.unpack('<f', raw[108:112])[0])
srow = np.array(struct.unpack('<12f', raw[280:328])).reshape(3, 4)
nx, ny, nz = dims[1:4]
f = np.frombuffer(raw[off:], dtype=np.float32, count=nx * ny * nz * 3).reshape(3, nz, ny, nx).transpose(0, 3, 2, 1)
A = np.eye(4); A[:3, :] = np.diag([-1.0, -1.0, 1.0]) @ srow; Ai = np.linalg.inv(A)
pts = [(-60.0, -40.0, -50.0), (30.0, 20.0, 10.0), (70.0, -30.0, 80.0)]
out = subprocess.run(['/usr/bin/python3', sys.argv[2], sys.argv[3]] + [str(v) for p in pts for v in p], capture_output=True, text=True).stdout.split('\n')
worst = 0
for p, line in zip(pts, out):
    x = np.array(p); ijk = Ai[:3, :3] @ x + Ai[:3, 3]
    u = np.array([ndimage.map_coordinates(f[k], ijk[:, None], order=1)[0] for k in range(3)]) * [-1, -1, 1]
    worst = max(worst, np.linalg.norm(x + u - np.array([float(v) for v in line.split()])))
print('%.4f' % worst)
PY
)
  awk -v t="$agree" 'BEGIN { exit !(t < 0.05) }'; ok $? "register --type deformable: the .tfm read as ITK defines it and the NIfTI field agree within $agree mm"
else
  skip "register --type deformable on the demo: from the true rigid move" "no scipy"
  skip "register --type deformable: the .tfm read as ITK defines it" "no scipy"
fi
"$cli" resample "$tmp/demo/followup" --reference "$tmp/demo/baseline" --transform "$tmp/d.tfm" --out "$tmp/dr2.nii"; ok $? "resample through a composite (affine, B-spline) transform exits 0"
[ "$(python3 - "$tmp/dr.nii" "$tmp/dr2.nii" <<'PY'
import sys
a, b = (open(p, 'rb').read() for p in sys.argv[1:3])
print(a[352:] == b[352:] and len(a) > 352 * 100)
PY
)" = "True" ]; ok $? "resample through the composite: the same voxels as register --resampled"
# transform: the rigid result inverted, then itself: the identity; a B-spline does not invert in closed form
"$cli" transform "$tmp/r.tfm" --invert --then "$tmp/r.tfm" --out "$tmp/id.tfm" --json > "$tmp/id.json"; ok $? "transform --invert --then exits 0"
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: AffineTransform_double_3_3\nParameters: 1 0 0 0 1 0 0 0 1 0 0 0\nFixedParameters: 0 0 0\n' > "$tmp/identity.tfm"
tre=$(python3 "$src/tre.py" "$tmp/id.tfm" "$tmp/identity.tfm" -150 150 -150 150 -150 150)
awk -v t="$tre" 'BEGIN { exit !(t < 1e-6) }'; ok $? "transform: T then its inverse is the identity ($tre mm)"
"$cli" transform "$tmp/d.tfm" --invert --out "$tmp/x.tfm" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "affine" "$tmp/err" && [ ! -e "$tmp/x.tfm" ]; ok $? "transform of a B-spline composite: exit 1, affine only"
"$cli" register "$tmp/demo/baseline" "$tmp/demo/followup" --type deformable --metric mattes-mi --out "$tmp/a.tfm" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "mean squares" "$tmp/err" && [ ! -e "$tmp/a.tfm" ]; ok $? "register --type deformable --metric mattes-mi: refused plainly (mean squares only)"
"$cli" resample "$tmp/demo/followup" --reference "$tmp/demo/baseline" --interpolation quintic --out "$tmp/q.nii" > /dev/null 2>&1; [ $? = 2 ] && [ ! -e "$tmp/q.nii" ]; ok $? "resample --interpolation quintic: exit 2"
printf '#Insight Transform File V1.0\n#Transform 0\nTransform: BSplineTransform_double_3_3\nParameters: 1 2 3\nFixedParameters: 5 5 5 0 0 0 1 1 1 1 0 0 0 1 0 0 0 1\n' > "$tmp/bad.tfm"
"$cli" resample "$tmp/demo/followup" --reference "$tmp/demo/baseline" --transform "$tmp/bad.tfm" --out "$tmp/bad.nii" 2> "$tmp/err"; [ $? = 1 ] && grep -q "do not add up" "$tmp/err" && [ ! -e "$tmp/bad.nii" ]; ok $? "resample with a B-spline file whose numbers do not add up: exit 1, says so"
"$cli" resample "$tmp/demo/truth/followup-labels.nii.gz" --reference "$tmp/demo/baseline" --transform "$tmp/r.tfm" --labels --out "$tmp/lab.nii.gz"; ok $? "resample --labels exits 0"
"$cli" info --json "$tmp/lab.nii.gz" > "$tmp/labinfo.json"; [ "$(json "$tmp/labinfo.json" "d['series'][0]['dimensions']")" = "[256, 256, 100]" ]; ok $? "resample: on the reference's grid"
# DICOM SEG: written beside the label map, read back onto the scan identical
"$cli" segment "$tmp/demo/baseline" --tasks body,couch,nodule --out "$tmp/x.nii.gz" --seg "$tmp/x.dcm" -q > /dev/null; ok $? "segment --seg exits 0"
dcmdump "$tmp/x.dcm" > "$tmp/x.dump" 2>&1 && grep -q "SegmentationStorage" "$tmp/x.dump" && [ "$(grep -c "SegmentLabel" "$tmp/x.dump")" = 3 ]; ok $? "segment --seg: DCMTK's dcmdump reads a SEG of 3 segments"
"$cli" segment "$tmp/demo/baseline" --from-seg "$tmp/x.dcm" --out "$tmp/back.nii.gz" --json > "$tmp/back.json"; ok $? "segment --from-seg exits 0"
cmp -s <(gzip -dc "$tmp/x.nii.gz" | tail -c +353) <(gzip -dc "$tmp/back.nii.gz" | tail -c +353); ok $? "segment --from-seg: the label map read back identical"
"$cli" segment "$tmp/demo/baseline" --from-seg "$tmp/demo/baseline/CT0001.dcm" --out "$tmp/y.nii.gz" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "not a DICOM Segmentation" "$tmp/err" && [ ! -e "$tmp/y.nii.gz" ]; ok $? "segment --from-seg of a CT slice: exit 1, says what it is not"
"$cli" segment "$tmp/x.nii.gz" --tasks body --seg "$tmp/z.dcm" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && [ ! -e "$tmp/z.dcm" ] && [ ! -e "$tmp/z.dcm.part" ]; ok $? "segment --seg of a NIfTI: refused, nothing half-written"

# measure on the demo: kept with the scan, listed again
export MEDTWIN_MEASUREMENTS="$tmp/kept"
"$cli" measure "$tmp/demo/baseline" --distance -88,-25,85:-38,-25,85 --save --json > "$tmp/d.json"; ok $? "measure --distance --save exits 0"
[ "$(json "$tmp/d.json" "d['measurements'][0]['mm']")" = "50.0" ]; ok $? "measure: 50.0 mm"
"$cli" measure "$tmp/demo/baseline" --angle 10,0,85:0,0,85:0,-10,85 --save > "$tmp/a.txt"; grep -q "^angle	90.0°$" "$tmp/a.txt"; ok $? "measure --angle: 90.0°"
"$cli" measure "$tmp/demo/baseline" --list --json > "$tmp/list.json"
[ "$(json "$tmp/list.json" "[m['kind'] for m in d['measurements']]")" = "['distance', 'angle']" ]; ok $? "measure --list: both kept, in order"
"$cli" measure "$tmp/demo/baseline" --angle 1,2:3 > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "angle" "$tmp/err"; ok $? "measure: malformed points, exit 2"
echo '{"measurements": [{"kind": "blob"}]}' > "$tmp/broken.json"
for f in "$tmp/kept"/*.json; do cp "$tmp/broken.json" "$f"; done
"$cli" measure "$tmp/demo/baseline" --list > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "broken-" "$tmp/err" && ls "$tmp/kept"/*.broken-* > /dev/null; ok $? "measure: a broken kept file is moved aside, named"
unset MEDTWIN_MEASUREMENTS

# render (needs some OpenGL, no display)
if "$cli" render "$tmp/demo/baseline" --view 3d --size 160x120 --frames 2 --out "$tmp/r.png" --json > "$tmp/render.json" 2> "$tmp/render.err"; then
  ok 0 "render 3d exits 0"
  [ "$(json "$tmp/render.json" "d['ms_per_frame'] > 0 and d['frames'] == 2")" = "True" ]; ok $? "render --json: ms_per_frame"
  [ "$(head -c 8 "$tmp/r.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; ok $? "render wrote a PNG"
  "$cli" render "$tmp/demo/baseline" --view 3d --size 160x120 --interactive --out "$tmp/i.png" --json > "$tmp/drag.json"
  [ "$(json "$tmp/drag.json" "d['quality'] == 'interactive' and d['width'] == 160 and d['height'] == 120 and 1 <= d['pixel_scale'] <= 8")" = "True" ]; ok $? "render --interactive: the dragging quality, full-size image, a pixel scale in 1..8"
  [ "$(json "$tmp/render.json" "d['quality'] == 'full'")" = "True" ]; ok $? "render: full quality by default"
  "$cli" render "$tmp/demo/baseline" --view coronal --preset lung --out "$tmp/c.png" > /dev/null; ok $? "render coronal with a window preset"
  "$cli" render "$tmp/demo/baseline" --preset mip --ortho --clip-plane 1,0,0,0 --clip-box -100,100,-100,100,-100,100 \
      --size 160x120 --out "$tmp/m.png" > /dev/null; ok $? "render mip, orthographic, clipped"
  "$cli" render "$tmp/demo/baseline" --clip-plane 1,0 --out "$tmp/m.png" > /dev/null 2>&1; [ $? = 2 ]; ok $? "malformed --clip-plane: exit 2"
  # Nothing opaque: the picture is the background alone (one colour).
  "$cli" render "$tmp/demo/baseline" --size 64x48 --transfer-function=-1024,1,1,1,0:3071,1,1,1,0 --out "$tmp/t.png" > /dev/null; ok $? "render --transfer-function"
  [ "$(/usr/bin/python3 -c "from PIL import Image; print(len(set(Image.open('$tmp/t.png').convert('RGB').getdata())))")" = 1 ]; ok $? "render --transfer-function: no opacity, only background"
  "$cli" render "$tmp/demo/baseline" --transfer-function=100,1,1,1,1:50,1,1,1,1 --out "$tmp/t.png" > /dev/null 2>&1; [ $? = 2 ]; ok $? "render --transfer-function: falling values, exit 2"
  "$cli" render "$tmp/demo/baseline" --size 64x48 --mesh "$tmp/heart.stl@0.8,0.2,0.2,0.5" --out "$tmp/h.png" > /dev/null; ok $? "render --mesh (see-through)"
  echo "solid nothing" > "$tmp/bad.stl"
  "$cli" render "$tmp/demo/baseline" --size 64x48 --mesh "$tmp/bad.stl" --out "$tmp/h.png" > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "bad.stl" "$tmp/err"; ok $? "render --mesh with a broken STL: exit 1, names it"
elif grep -q "No EGL display\|Cannot make an OpenGL" "$tmp/render.err"; then
  skip "render" "no OpenGL: $(cat "$tmp/render.err")"
else
  ok 1 "render 3d: $(cat "$tmp/render.err")"
fi

# mistakes: a clear message and the right exit code
"$cli" info /nonexistent/scan > /dev/null 2> "$tmp/err"; [ $? = 1 ] && grep -q "/nonexistent/scan" "$tmp/err"; ok $? "info on a missing path: exit 1, names it"
"$cli" convert "$tmp/demo/baseline" "$tmp/out.txt" > /dev/null 2>&1; [ $? = 2 ]; ok $? "convert to a non-NIfTI name: exit 2"
"$cli" frobnicate > /dev/null 2>&1; [ $? = 2 ]; ok $? "unknown command: exit 2"
"$cli" render "$tmp/demo/baseline" --view 4d --out "$tmp/x.png" > /dev/null 2> "$tmp/err"; [ $? = 2 ] && grep -q "4d" "$tmp/err"; ok $? "unknown view: exit 2, names it"
"$cli" render "$tmp/demo/baseline" --size 0x0 --out "$tmp/x.png" > /dev/null 2>&1; [ $? = 2 ]; ok $? "absurd size: exit 2"

echo "1..$n"
exit $((failed > 0))
