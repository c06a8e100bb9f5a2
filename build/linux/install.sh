#!/bin/sh
# Installs BigBooks Desktop for this user from the unpacked tarball: the app into ~/.local/opt/BigBooks, a
# `BigBooks` command into ~/.local/bin, the menu entry and the icon. `./install.sh --uninstall` removes them
# (your data folder, ~/.local/share/BigBooks Desktop, stays).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix="${XDG_DATA_HOME:-$HOME/.local/share}"
opt="$HOME/.local/opt/BigBooks"
bin="$HOME/.local/bin"
if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$opt" "$bin/BigBooks" "$prefix/applications/bigbooks.desktop" \
         "$prefix/icons/hicolor/256x256/apps/bigbooks.png" "$prefix/icons/hicolor/32x32/apps/bigbooks.png"
  echo "BigBooks Desktop removed (your data folder is kept)."
  exit 0
fi
mkdir -p "$opt" "$bin" "$prefix/applications" "$prefix/icons/hicolor/256x256/apps" "$prefix/icons/hicolor/32x32/apps"
rm -rf "$opt"
cp -R "$here/BigBooks" "$opt"
ln -sf "$opt/BigBooks" "$bin/BigBooks"
cp "$opt/_internal/resources/icon-256.png" "$prefix/icons/hicolor/256x256/apps/bigbooks.png"
cp "$opt/_internal/resources/icon-32.png" "$prefix/icons/hicolor/32x32/apps/bigbooks.png"
sed "s|^Exec=.*|Exec=$opt/BigBooks|" "$here/bigbooks.desktop" > "$prefix/applications/bigbooks.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$prefix/applications" || true
echo "BigBooks Desktop installed: start it from the menu, or run $bin/BigBooks (--self-test checks it)."
