#!/bin/sh
# Build localhost/python-base:3.11, a stand-in for python:3.11-slim on machines without an image
# registry: Debian bookworm (Python 3.11) via debootstrap from the mirror apt already uses.
# Usage: make_base_image.sh [TAG]   (needs root, debootstrap and podman; about 2 minutes)
set -eu
TAG=${1:-localhost/python-base:3.11}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}
debootstrap --variant=minbase --include=python3,python3-venv bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
tar -C "$WORK/rootfs" -c . | podman import - "$TAG"
