#!/bin/sh
# Install stt-engine from this unpacked bundle: verify every file against manifest.json, create
# a venv under the prefix, install from wheels/ only, place the models, record the models dir in
# PREFIX/stt-engine.env (which every stt-engine command of the venv reads), print how to start it.
# It never uses the network. Running it again is safe: identical models are kept, the venv is
# reused and brought to this bundle's versions, and without --models-dir the models go where
# PREFIX/stt-engine.env says.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=/opt/stt-engine
MODELS_DIR=
PYTHON=
MODELS_ONLY=0
OFFLINE="this installer never uses the network"

usage() {
  cat <<EOF
usage: install.sh [--prefix DIR] [--models-dir DIR] [--python PATH] [--models-only]
  --prefix DIR      venv location; the command becomes DIR/bin/stt-engine (default /opt/stt-engine)
  --models-dir DIR  where the models go (default: the models dir of an earlier install to this
                    prefix, else PREFIX/models); recorded in PREFIX/stt-engine.env
  --python PATH     Python to create the venv with (default: python3.X of the bundle, else python3)
  --models-only     verify the bundle and place the models only (e.g. for the container image)
$OFFLINE.
EOF
}
say() { echo "install.sh: $*"; }
die() { echo "install.sh: error: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#*=}; shift ;;
    --models-dir) [ $# -ge 2 ] || die "--models-dir needs a folder"; MODELS_DIR=$2; shift 2 ;;
    --models-dir=*) MODELS_DIR=${1#*=}; shift ;;
    --python) [ $# -ge 2 ] || die "--python needs a path"; PYTHON=$2; shift 2 ;;
    --python=*) PYTHON=${1#*=}; shift ;;
    --models-only) MODELS_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done
# Absolute paths: the env file and the systemd unit are read from anywhere.
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
PREFIX=$(absolute "$PREFIX")
[ -z "$MODELS_DIR" ] || MODELS_DIR=$(absolute "$MODELS_DIR")
ENV_FILE=$PREFIX/stt-engine.env
ENV_KEY=STT_ENGINE_MODELS_DIR
# The models dir an earlier install recorded (the last such line; quotes around it dropped).
recorded_models_dir() {
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^$ENV_KEY=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\\1/"
}
RECORDED=
[ "$MODELS_ONLY" = 1 ] || RECORDED=$(recorded_models_dir)
if [ -z "$MODELS_DIR" ]; then
  if [ -n "$RECORDED" ]; then MODELS_DIR=$RECORDED; else MODELS_DIR=$PREFIX/models; fi
fi

command -v python3 >/dev/null 2>&1 || die "python3 is not installed; install it from the OS media ($OFFLINE)"
[ -f "$HERE/manifest.json" ] || die "$HERE/manifest.json is missing; this is not an unpacked stt-engine bundle"
manifest() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$HERE/manifest.json"; }
TARGET_PY=$(manifest 'd["target"]["python"]')
VERSION=$(manifest 'd["version"]')
if [ -z "$PYTHON" ]; then
  if command -v "python$TARGET_PY" >/dev/null 2>&1; then PYTHON=python$TARGET_PY; else PYTHON=python3; fi
fi
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found ($OFFLINE)"

say "verifying $HERE against manifest.json"
"$PYTHON" - "$HERE" "$MODELS_ONLY" <<'PY' || die "the bundle failed verification (see above); copy it again"
import hashlib, json, os, platform, sys
root, models_only = sys.argv[1], sys.argv[2] == "1"
manifest = json.load(open(os.path.join(root, "manifest.json")))
expected, problems = manifest["files"], []
found = set()
for folder, _dirs, files in os.walk(root):
    for name in files:
        rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        if rel != "manifest.json":
            found.add(rel)
for rel in sorted(found - set(expected)):
    problems.append(rel + ": extra file, not in the manifest")
for rel, want in sorted(expected.items()):
    path = os.path.join(root, rel)
    if rel not in found:
        problems.append(rel + ": missing")
    elif os.path.getsize(path) != want["size"]:
        problems.append("%s: size %d, manifest says %d (truncated?)" % (rel, os.path.getsize(path), want["size"]))
    else:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if digest.hexdigest() != want["sha256"]:
            problems.append(rel + ": sha256 mismatch (corrupt or modified)")
target = manifest["target"]
if not models_only:
    here_py = "%d.%d" % sys.version_info[:2]
    if here_py != target["python"]:
        problems.append("target: bundle is for Python %s, %s is Python %s; pass --python /path/to/python%s"
                        % (target["python"], sys.executable, here_py, target["python"]))
    parts = target["platform"].split("_")  # manylinux_2_28_x86_64
    libc = (os.confstr("CS_GNU_LIBC_VERSION") or "") if hasattr(os, "confstr") else ""
    if parts[0] == "manylinux" and libc.startswith("glibc "):
        have = tuple(int(x) for x in libc.split()[1].split(".")[:2])
        if have < (int(parts[1]), int(parts[2])):
            problems.append("target: bundle needs glibc %s.%s, this machine has %s" % (parts[1], parts[2], libc))
    arch = "_".join(parts[3:])
    if arch and platform.machine() != arch:
        problems.append("target: bundle is for %s, this machine is %s" % (arch, platform.machine()))
for line in problems:
    print("  " + line, file=sys.stderr)
if problems:
    sys.exit(1)
print("install.sh: ok: %d files match, target %s %s" % (len(expected), target["python"], target["platform"]))
PY

if [ "$MODELS_ONLY" = 0 ]; then
  if [ -x "$PREFIX/bin/python" ]; then
    say "reusing the venv $PREFIX"
  else
    say "creating the venv $PREFIX with $PYTHON"
    mkdir -p "$PREFIX"
    "$PYTHON" -m venv "$PREFIX" || die "'$PYTHON -m venv' failed: the OS package python$TARGET_PY-venv is missing; install it from the OS media ($OFFLINE)"
  fi
  # Only this bundle's wheels: no index, no pip configuration or PIP_* settings of this machine.
  for var in $(env | sed -n 's/^\(PIP_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done
  export PIP_CONFIG_FILE=/dev/null
  pip_offline() { "$PREFIX/bin/python" -m pip --disable-pip-version-check "$@"; }
  REQUIREMENTS=$(manifest '" ".join(d["install"])')
  say "installing $REQUIREMENTS from wheels/ (no index, no network)"
  pip_offline install --no-index --find-links "$HERE/wheels" $REQUIREMENTS \
    || die "pip could not install from wheels/: a wheel is missing or does not fit this machine ($OFFLINE)"
  # Same version, rebuilt code: make the venv hold exactly this bundle's stt-engine wheel.
  pip_offline install --quiet --no-index --find-links "$HERE/wheels" --no-deps --force-reinstall "stt-engine==$VERSION" \
    || die "pip could not reinstall stt-engine $VERSION from wheels/ ($OFFLINE)"
fi

mkdir -p "$MODELS_DIR"
for dir in "$HERE"/models/*/; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir")
  if [ -d "$MODELS_DIR/$name" ] && cmp -s "$dir/stt-engine-model.json" "$MODELS_DIR/$name/stt-engine-model.json"; then
    say "model $name: already in $MODELS_DIR/$name"
    continue
  fi
  staging="$MODELS_DIR/.$name.installing"
  rm -rf "$staging"
  cp -R "$dir" "$staging"
  chmod -R a+rX "$staging"
  rm -rf "${MODELS_DIR:?}/$name"
  mv "$staging" "$MODELS_DIR/$name"
  say "model $name: placed in $MODELS_DIR/$name"
done

if [ "$MODELS_ONLY" = 1 ]; then
  say "models are in $MODELS_DIR; mount it at /app/models: docker run --gpus all -p 8003:8003 -v $MODELS_DIR:/app/models stt-engine:$VERSION-<flavour>"
  exit 0
fi

# Every stt-engine command of this venv reads its defaults from $ENV_FILE (the environment
# still wins); other lines a user added there are kept.
if [ ! -f "$ENV_FILE" ]; then
  printf '%s=%s\n' "$ENV_KEY" "$MODELS_DIR" >"$ENV_FILE"
  say "wrote $ENV_FILE ($ENV_KEY=$MODELS_DIR)"
elif [ "$RECORDED" = "$MODELS_DIR" ]; then
  say "keeping $ENV_FILE ($ENV_KEY=$MODELS_DIR)"
else
  { grep -v "^$ENV_KEY=" "$ENV_FILE" || true; printf '%s=%s\n' "$ENV_KEY" "$MODELS_DIR"; } >"$ENV_FILE.new"
  mv "$ENV_FILE.new" "$ENV_FILE"
  say "$ENV_FILE now says $ENV_KEY=$MODELS_DIR${RECORDED:+ (was $RECORDED; its models were left there)}; its other lines are kept"
fi
chmod a+r "$ENV_FILE"
sed "s#@PREFIX@#$PREFIX#g" "$HERE/deploy/stt-engine.service" >"$PREFIX/stt-engine.service"

cat <<EOF

stt-engine $VERSION is installed in $PREFIX (models in $MODELS_DIR, recorded in $ENV_FILE).
Start it in the foreground:
  $PREFIX/bin/stt-engine serve --host 0.0.0.0 --port 8003
or as a systemd service (unit written to $PREFIX/stt-engine.service):
  sudo cp $PREFIX/stt-engine.service /etc/systemd/system/stt-engine.service
  sudo systemctl daemon-reload && sudo systemctl enable --now stt-engine
Then prove that it transcribes:
  $PREFIX/bin/stt-engine check --url http://localhost:8003
EOF
