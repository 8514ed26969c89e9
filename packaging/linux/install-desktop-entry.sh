#!/bin/sh
# Add Tandai to this user's application menu and open *.tandai projects with it on a
# double-click (Linux desktops that follow freedesktop.org: GNOME, KDE, Xfce, ...).
# Run it once from the unpacked Tandai folder; run it again after moving the folder.
# Nothing is written outside ~/.local/share; remove those two files to undo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$data/applications" "$data/mime/packages"

cat > "$data/mime/packages/tandai.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="application/x-tandai">
    <comment>Tandai project</comment>
    <glob pattern="*.tandai"/>
  </mime-type>
</mime-info>
XML

cat > "$data/applications/tandai.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Tandai
Comment=Annotate news articles: entities, boilerplate, stance
Exec="$here/Tandai" %f
Icon=$here/_internal/resources/icons/tandai.png
Terminal=false
Categories=Office;Science;
MimeType=application/x-tandai;
DESKTOP

command -v update-mime-database >/dev/null && update-mime-database "$data/mime" || true
command -v update-desktop-database >/dev/null && update-desktop-database "$data/applications" || true
command -v xdg-mime >/dev/null && xdg-mime default tandai.desktop application/x-tandai || true
echo "Tandai is in your applications menu; .tandai files open with it."
