#!/usr/bin/env bash
# Screenshots of the plugin in a real ImageJ on a virtual display, for the README (docs/).
# Drives the menus with the mouse as a person would: Plugins > MA-CLIP > Install Model... with
# BUNDLE typed in as the model demo-tinyrn (the default model), then MA-CLIP Score on a 6-slice
# focus series, MA-CLIP Quality Map on one slice, and Settings...' model choice (a second copy of
# BUNDLE is installed by macro as demo-tinyrn-copy, so that the choice lists two models).
# The plugin is installed from BUILD_DIR/fiji as Fiji's Updater installs it: plugins/, jars/ and
# lib/<this platform>/ copied into a fresh ImageJ folder, FIJI_DIR (default /opt/Fiji.app, where
# Fiji is usually unpacked on Linux), so that the dialogs show a real install's paths and no
# temporary folder; BUNDLE is copied next to it as demo-tinyrn/. Both are removed at the end.
# The script refuses a FIJI_DIR or demo-tinyrn/ it did not make (it never touches a real Fiji).
#
# Needs: xvfb, xdotool, imagemagick (apt-get install -y xvfb xdotool imagemagick fonts-dejavu-core),
# the packaged plugin (mvn -pl imagej-plugin package: BUILD_DIR/fiji), a model bundle, a test image.
#   [FIJI_DIR=...] imagej-plugin/screenshots/take-screenshots.sh BUILD_DIR BUNDLE IMAGE OUT_DIR
# e.g. take-screenshots.sh imagej-plugin/target maclip-scoring/src/test/resources/golden/tinyrn \
#        maclip-pytorch/src/maclip/calibration/hubble_deep_field.jpg docs
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 BUILD_DIR BUNDLE IMAGE OUT_DIR (e.g. imagej-plugin/target, a model bundle, a photo, docs)" >&2
  exit 2
fi
build=$(realpath "$1")
bundle=$(realpath "$2")
image=$(realpath "$3")
out=$(realpath "$4")
ij_jar=$(find ~/.m2/repository/net/imagej/ij -name 'ij-*.jar' ! -name '*sources*' | sort | tail -1)

case "$(uname -s)-$(uname -m)" in # Fiji's name for this platform, as the plugin picks it
  Linux-x86_64) platform=linux64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) echo "$0: runs on Linux x64 or arm64 only" >&2; exit 2 ;;
esac
site=$build/fiji
if [ ! -f "$site/plugins/MA_CLIP.jar" ] || [ ! -d "$site/lib/$platform" ]; then
  echo "$0: no update-site folder in $site (run mvn -pl imagej-plugin -am package first)" >&2
  exit 2
fi

fiji=${FIJI_DIR:-/opt/Fiji.app} # Install Model...'s dialog shows <ImageJ folder>/models/maclip
demo=$(dirname "$fiji")/demo-tinyrn # what Install Model...'s Source field shows
marker=.maclip-screenshots # marks the folders this script made, the only ones it removes
for folder in "$fiji" "$demo"; do
  if [ -e "$folder" ] && [ ! -e "$folder/$marker" ]; then
    echo "$0: $folder exists and was not made by this script; set FIJI_DIR to a folder that does not exist" >&2
    exit 2
  fi
  rm -rf "$folder"
done
work=$(mktemp -d -t maclip-shots.XXXXXX) # ImageJ's preferences, the setup macro, its log: never shown
trap 'rm -rf "$work" "$fiji" "$demo"' EXIT
mkdir -p "$work/home/.imagej" "$fiji" "$demo"
touch "$fiji/$marker"
cp -r "$bundle"/. "$demo/"
touch "$demo/$marker"
for folder in plugins jars "lib/$platform"; do # what the Updater installs on this platform
  mkdir -p "$fiji/$folder"
  cp "$site/$folder"/* "$fiji/$folder/"
done
cat > "$work/setup.ijm" <<EOF
// A second copy of the bundle, for Settings...' choice; demo-tinyrn itself is installed through the dialog.
run("MA-CLIP Install Model...", "source=[$bundle] name=[demo-tinyrn-copy]");
if (isOpen("Log")) { selectWindow("Log"); run("Close"); }
open("$image");
rename("photo");
for (i = 1; i <= 6; i++) {
  selectImage("photo");
  run("Duplicate...", "title=s" + i);
  if (i > 1) run("Gaussian Blur...", "sigma=" + (i - 1));
}
close("photo");
run("Images to Stack", "name=[focus series] title=s use");
setSlice(1);
EOF

export DISPLAY=:${SCREEN_NUMBER:-77}
Xvfb "$DISPLAY" -screen 0 1600x1000x24 >/dev/null 2>&1 &
xvfb=$!
java -Dplugins.dir="$fiji" -Duser.home="$work/home" -cp "$ij_jar" ij.ImageJ \
  -macro "$work/setup.ijm" >"$work/imagej.log" 2>&1 &
imagej=$!
trap 'kill $imagej $xvfb 2>/dev/null || true; rm -rf "$work" "$fiji" "$demo"' EXIT

window() { xdotool search --sync --name "^$1\$" | head -1; }
# Top-left corner of a window: sets X and Y.
corner() { eval "$(xdotool getwindowgeometry --shell "$1")"; X=$X; Y=$Y; }
# Crops the screen to $1 (WxH+X+Y) into $2, as a small 8-bit PNG.
shot() {
  import -window root "$work/screen.png"
  convert "$work/screen.png" -crop "$1" +repage -colors 200 "PNG8:$2"
}
# Opens Plugins > MA-CLIP and clicks item $1 (0-based) of the submenu.
maclip_menu() {
  corner "$(window ImageJ)"
  local mx=$((X + 321)) my=$((Y + 12))
  xdotool mousemove $mx $my click 1; sleep 1
  xdotool mousemove $((mx + 15)) $((my + 144)); sleep 0.3; xdotool click 1; sleep 1
  if [ "${2:-}" = menu ]; then shot "700x255+$((X))+0" "$out/imagej-menu.png"; fi
  xdotool mousemove $((mx + 245)) $((my + 146 + 19 * $1)) click 1
}

sleep 2
stack=$(window "focus series")
main=$(window ImageJ)
xdotool windowmove "$main" 880 0
xdotool windowmove "$stack" 1000 90
sleep 1

ok() { eval "$(xdotool getwindowgeometry --shell "$1")"; xdotool mousemove $((X + WIDTH - 39)) $((Y + HEIGHT - 21)) click 1; }
cancel() { eval "$(xdotool getwindowgeometry --shell "$1")"; xdotool mousemove $((X + WIDTH - 95)) $((Y + HEIGHT - 21)) click 1; }

# 0. Install Model...: the demo bundle typed in as demo-tinyrn, the default model; then OK.
maclip_menu 4
install=$(xdotool search --sync --name "^MA-CLIP Install Model\\.\\.\\.\$" | head -1)
sleep 1
eval "$(xdotool getwindowgeometry --shell "$install")"
xdotool mousemove $((X + 525)) $((Y + 25)) click 1; xdotool type --delay 20 "$demo"
xdotool mousemove $((X + 487)) $((Y + 53)) click 1; xdotool type --delay 20 demo-tinyrn
sleep 1
shot "${WIDTH}x${HEIGHT}+${X}+${Y}" "$out/imagej-install-model.png"
ok "$install"
sleep 3
if [ ! -f "$fiji/models/maclip/demo-tinyrn/maclip.json" ]; then
  echo "$0: Install Model... did not install $fiji/models/maclip/demo-tinyrn; ImageJ said:" >&2
  cat "$work/imagej.log" >&2
  exit 1
fi
log=$(window Log) # Install Model...'s line in the Log, closed as a person would (Ctrl+W)
eval "$(xdotool getwindowgeometry --shell "$log")"
xdotool mousemove $((X + WIDTH / 2)) $((Y + HEIGHT / 2)) click 1 key ctrl+w
sleep 1
xdotool mousemove 1200 400 click 1 # the stack's window becomes the active image again
sleep 1

# 1. The menu, and MA-CLIP Score's dialog (model from the settings, "stack" ticked for stacks).
maclip_menu 0 menu
dialog=$(xdotool search --sync --name "^MA-CLIP Score\$" | head -1)
sleep 1
corner "$dialog"
eval "$(xdotool getwindowgeometry --shell "$dialog")"
shot "${WIDTH}x${HEIGHT}+${X}+${Y}" "$out/imagej-score-dialog.png"
ok "$dialog"

# 2. The table and the plot of Q against slice.
table=$(window MA-CLIP)
plot=$(window "MA-CLIP Q of focus series")
sleep 2
xdotool windowmove "$plot" 0 0
xdotool windowsize "$table" 870 215
xdotool windowmove "$table" 0 470
sleep 2
shot "870x690+0+0" "$out/imagej-results.png"

# 3. The quality map of slice 1 as an overlay with its calibration bar.
xdotool mousemove 1200 400 click 1 # the stack's window becomes the active image
sleep 1
maclip_menu 1
mapdialog=$(xdotool search --sync --name "^MA-CLIP Quality Map\$" | head -1)
sleep 1
ok "$mapdialog"
sleep 6
corner "$stack"
eval "$(xdotool getwindowgeometry --shell "$stack")"
shot "${WIDTH}x${HEIGHT}+${X}+${Y}" "$out/imagej-quality-map.png"

# 4. Settings...' dialog, its model choice opened on the two installed models, cancelled.
maclip_menu 3
settings=$(xdotool search --sync --name "^MA-CLIP Settings\\.\\.\\.\$" | head -1)
sleep 1
eval "$(xdotool getwindowgeometry --shell "$settings")"
xdotool mousemove $((X + 320)) $((Y + 24)) click 1 # the model choice drops down
sleep 1
shot "${WIDTH}x${HEIGHT}+${X}+${Y}" "$out/imagej-settings.png"
xdotool key Escape # closes the list, keeping the choice
sleep 1
cancel "$settings"
sleep 1

echo "screenshots in $out; ImageJ said:"
cat "$work/imagej.log"
