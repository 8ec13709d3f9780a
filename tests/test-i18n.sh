#!/usr/bin/env bash
# Every user-visible string has its Simplified Chinese translation, and the
# programs speak it when the system language is Chinese.
# Usage: test-i18n.sh SOURCE_ROOT BUILD_ROOT
set -u
src=$1 build=$2
po=$src/po/zh_CN.po
n=0 failed=0
check() {  # check NAME COMMAND...
  n=$((n + 1))
  local name=$1; shift
  if "$@"; then echo "ok $n $name"; else echo "not ok $n $name"; failed=$((failed + 1)); fi
}

stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
echo "# $stats"
check "catalogue compiles, formats agree" msgfmt --check -o /dev/null "$po"
check "no untranslated or fuzzy message" bash -c "! grep -qE 'untranslated|fuzzy' <<< '$stats'"

# Every source that marks strings is in POTFILES.in, so none is missed.
unlisted=$(cd "$src" && for f in $(grep -lE '\bN?_\(' app/*.c pipeline/*.c pipeline/*.cc render/*.c ui/*.c 2>/dev/null); do
  grep -qxF "$f" po/POTFILES.in || echo "$f"; done)
echo "# sources with marked strings missing from POTFILES.in: ${unlisted:-none}"
check "every source with marked strings is in POTFILES.in" test -z "$unlisted"

# The catalogue covers every string the sources mark today.
tmp=$(mktemp -d)
(cd "$src" && xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
   --language=C++ --files-from=<(grep -v '^#' po/POTFILES.in | grep -E '\.(c|cc)$') -o "$tmp/code.pot" 2>/dev/null)
msgattrib --no-obsolete "$po" -o "$tmp/po.po" 2>/dev/null
untranslated=$(msgcmp --use-untranslated "$tmp/po.po" "$tmp/code.pot" 2>&1 | grep -c 'this message is used but not defined' || true)
echo "# strings in the code without a translation: $untranslated"
check "every marked string is in zh_CN.po" test "$untranslated" -eq 0
rm -rf "$tmp"

export MEDTWIN_LOCALEDIR=$build/po LANG=C.UTF-8 LANGUAGE=zh_CN
out=$("$build/app/medtwin-cli" 2>&1)
check "medtwin-cli speaks Chinese" grep -q '用法' <<< "$out"
out=$("$build/app/medtwin-cli" info /nonexistent/scan 2>&1)
check "errors are translated and name the path" grep -q '/nonexistent/scan：文件或文件夹不存在' <<< "$out"

echo "1..$n"
exit $((failed > 0))
