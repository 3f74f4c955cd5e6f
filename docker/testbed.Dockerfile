# The testbed's driver image (docs/testbed.md, Kubernetes mode): the node image plus the simulator's
# report code and the testbed (simulations/), so the driver Job runs simulations/testbed/kubernetes/job.ts with the same client
# and driver as the local mode. Build it after the node image:
#   docker build -t sorcha-peer:0.1.0 -f docker/Dockerfile .
#   docker build -t sorcha-peer-testbed:0.1.0 -f docker/testbed.Dockerfile .
ARG NODE_IMAGE_TAG=sorcha-peer:0.1.0
FROM ${NODE_IMAGE_TAG}
COPY simulations ./simulations
ENTRYPOINT []
CMD ["node", "/app/simulations/testbed/kubernetes/job.ts", "/testbed/scenario.json"]
