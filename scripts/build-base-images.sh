#!/usr/bin/env bash
# Build the lab's base images locally, for engines that cannot pull from a registry.
#
#   scripts/build-base-images.sh [--force] [BASE ...]      BASE: python jdk jre node cc sid (default: all but sid)
#
# Each base is a Debian minbase root filesystem made by debootstrap from the Debian mirror this
# machine's apt already uses, with one runtime added, then `docker import`ed:
#
#   runtime-lab/base-python:trixie   python3                  (python image, harness image)
#   runtime-lab/base-jdk:trixie      openjdk-21-jdk-headless  (java build stage: javac)
#   runtime-lab/base-jre:trixie      openjdk-21-jre-headless  (java runtime stage)
#   runtime-lab/base-node:trixie     nodejs                   (node image)
#   runtime-lab/base-cc:trixie       gcc, libc6-dev           (the harness image's loadgen stage)
#   runtime-lab/base-sid:sid         python3.14, pypy3, openjdk-25-jre-headless, from Debian sid
#                                    (--backend docker --python sid:3.14,sid:pypy --java sid:25; about 350 MB)
#
# A base that already exists is kept (--force rebuilds it). Finally it writes the build arguments
# that point the Dockerfiles at these bases into .env at the repository root, which
# `docker compose` reads by itself, and which `python -m harness --backend docker` does not need:
# the docker backend finds these bases by name.
#
# Environment: LAB_DEBIAN_MIRROR (default: the first Debian mirror in /etc/apt/sources.list*),
# LAB_DEBIAN_SUITE (trixie), LAB_BASE_TAG (trixie), LAB_WORK (build/bases).
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE=${LAB_DEBIAN_SUITE:-trixie}
TAG=${LAB_BASE_TAG:-trixie}
WORK=$(realpath -m "${LAB_WORK:-build/bases}")
FORCE=0

declare -A PACKAGES=(
    [python]="python3"
    [jdk]="openjdk-21-jdk-headless"
    [jre]="openjdk-21-jre-headless"
    [node]="nodejs"
    [cc]="gcc,libc6-dev"
    [sid]="python3.14,pypy3,openjdk-25-jre-headless"
)
# The Debian suite and image tag of a base other than LAB_DEBIAN_SUITE's (sid: runtimes newer than trixie's).
declare -A OWN_SUITE=([sid]=sid)
# The build argument (in the Dockerfiles and docker-compose.yml) each base is passed as.
declare -A BUILD_ARG=(
    [python]=LAB_PYTHON_BASE [jdk]=LAB_JDK_BASE [jre]=LAB_JRE_BASE [node]=LAB_NODE_BASE [cc]=LAB_CC_BASE
)
ALL=(python jdk jre node cc)

die() { echo "build-base-images: $*" >&2; exit 1; }

debian_mirror() {
    if [[ -n "${LAB_DEBIAN_MIRROR:-}" ]]; then echo "$LAB_DEBIAN_MIRROR"; return; fi
    # deb822 files (URIs: ...) and one-line lists (deb URL suite ...); the first plain Debian
    # archive wins (not -security, not a third-party repository).
    local uri
    uri=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{for (i = 2; i <= NF; i++) print $i}'
             grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print ($2 ~ /^\[/) ? $3 : $2}'
           } | grep -E '/debian/?$' | head -n1 )
    [[ -n "$uri" ]] || die "no Debian mirror found in /etc/apt/sources.list*; set LAB_DEBIAN_MIRROR=http://deb.debian.org/debian"
    echo "$uri"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

build_base() {
    local name=$1 suite=${OWN_SUITE[$1]:-$SUITE} tag=${OWN_SUITE[$1]:-$TAG}
    local image="runtime-lab/base-$1:$tag" cache="$WORK/debs${OWN_SUITE[$1]:+-${OWN_SUITE[$1]}}"
    if [[ $FORCE == 0 ]] && have_image "$image"; then
        echo "== $image: present, kept"
        return
    fi
    local rootfs="$WORK/rootfs-$name" started=$SECONDS
    rm -rf "$rootfs"
    mkdir -p "$rootfs" "$cache"
    echo "== $image: debootstrap $suite minbase + ${PACKAGES[$name]} from $MIRROR"
    if ! debootstrap --variant=minbase --include="${PACKAGES[$name]}" --cache-dir="$cache" \
            "$suite" "$rootfs" "$MIRROR" >"$WORK/debootstrap-$name.log" 2>&1; then
        tail -n 20 "$WORK/debootstrap-$name.log" >&2
        die "debootstrap failed for $name (whole log: $WORK/debootstrap-$name.log)"
    fi
    # What an image does not need: package caches and lists, documentation, man pages.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* \
           "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    tar --numeric-owner -C "$rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/sh"]' \
        --message "runtime-lab base: debootstrap $suite minbase + ${PACKAGES[$name]}" \
        - "$image" >/dev/null
    rm -rf "$rootfs"
    echo "== $image: built in $((SECONDS - started)) s ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}'))"
}

write_env() {
    # docker compose reads .env from the project directory for ${VAR} in docker-compose.yml.
    local env_file=.env tmp
    tmp=$(mktemp)
    [[ -f $env_file ]] && grep -v -E '^(# runtime-lab bases|LAB_[A-Z]+_BASE=)' "$env_file" >"$tmp" || true
    {
        echo "# runtime-lab bases: written by scripts/build-base-images.sh (local images, no registry needed)"
        for name in "${ALL[@]}"; do
            have_image "runtime-lab/base-$name:$TAG" && echo "${BUILD_ARG[$name]}=runtime-lab/base-$name:$TAG"
        done
    } >>"$tmp"
    mv "$tmp" "$env_file"
    echo "== wrote $env_file (the build arguments docker compose passes)"
}

chosen=()
for arg in "$@"; do
    case $arg in
        --force) FORCE=1 ;;
        -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
        python|jdk|jre|node|cc|sid) chosen+=("$arg") ;;
        *) die "unknown argument '$arg'; expected --force or some of: ${ALL[*]} sid" ;;
    esac
done
[[ ${#chosen[@]} -gt 0 ]] || chosen=("${ALL[@]}")

command -v docker >/dev/null || die "no docker client; run scripts/install-docker.sh first"
docker info >/dev/null 2>&1 || die "the Docker engine is not running; start it (dockerd, or systemctl start docker)"
missing=()
for name in "${chosen[@]}"; do
    [[ $FORCE == 1 ]] || ! have_image "runtime-lab/base-$name:${OWN_SUITE[$name]:-$TAG}" || continue
    missing+=("$name")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    command -v debootstrap >/dev/null || die "debootstrap is missing; apt-get install -y debootstrap"
    [[ $(id -u) == 0 ]] || die "debootstrap needs root"
    MIRROR=$(debian_mirror)
fi
for name in "${chosen[@]}"; do
    build_base "$name"
done
write_env
