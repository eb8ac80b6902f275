# The harness image: `python -m harness` with its Python packages, for docker-compose.yml. It drives
# the engine through the Docker socket, so it runs as root; every program, and the load generator
# beside the servers, runs in containers of the language and helpers images.
#
#   scripts/fetch-wheels.sh && docker build -t runtime-lab/harness .      (context: the repository root)
#
# No package index is reached during the build: the Python packages come as wheels from
# build/wheels/ (scripts/fetch-wheels.sh puts them there). Without them the build falls back to
# pip from PyPI, which only an engine with network access can do.
ARG LAB_PYTHON_BASE=python:3.13-slim

FROM ${LAB_PYTHON_BASE}
COPY pyproject.toml /lab/pyproject.toml
# build/wheel[s]: a pattern, so that a checkout without wheels still builds (from PyPI); the Dockerfile
# beside it keeps the source list non-empty (an engine refuses a COPY whose only pattern matches nothing).
COPY Dockerfile build/wheel[s] /tmp/wheels/
RUN set -e; \
    requirements=$(python3 -c 'import tomllib; print(" ".join(tomllib.load(open("/lab/pyproject.toml", "rb"))["project"]["dependencies"]))'); \
    if ls /tmp/wheels/pip-*.whl >/dev/null 2>&1; then \
        python3 "$(ls /tmp/wheels/pip-*.whl | head -n1)/pip" install --quiet --no-index --find-links /tmp/wheels \
            --target /opt/lab/site --no-warn-script-location --root-user-action=ignore --disable-pip-version-check $requirements; \
    else \
        echo "no wheels in build/wheels (scripts/fetch-wheels.sh): installing from PyPI" >&2; \
        python3 -m pip install --quiet --target /opt/lab/site --root-user-action=ignore $requirements; \
    fi; \
    rm -rf /tmp/wheels
COPY harness/ /lab/harness/
COPY python/ /lab/python/
COPY java/ /lab/java/
COPY node/ /lab/node/
COPY loadgen/ /lab/loadgen/
ENV PYTHONPATH=/opt/lab/site:/lab XDG_CACHE_HOME=/lab/.cache MPLCONFIGDIR=/tmp/matplotlib PYTHONDONTWRITEBYTECODE=1
# Every module the CLI imports (a dependency missing from pyproject.toml fails here, not at `up`).
RUN python3 -c "import docker, matplotlib, harness, harness.cli; print('harness', harness.__version__)"
WORKDIR /lab
LABEL runtime-lab.image="harness"
ENTRYPOINT ["python3", "-m", "harness"]
CMD ["compare", "--backend", "docker", "--docker-build", "never", "--quick"]
