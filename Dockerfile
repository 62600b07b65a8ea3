# StreetCad for production: a stateless server in front of an external PostGIS (see compose.yaml).
# Build:  docker build -t streetcad .
# Run:    docker run -p 7070:7070 -e STREETCAD_DB_URL=postgresql://streetcad:secret@db:5432/cadastre streetcad

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
COPY sql sql
RUN mvn -B -ntp -q -DskipTests package

# The JDK's AOT cache (scripts/aot.sh): a training run of the server on the Florence sample, in an embedded cluster,
# on the runtime image itself, since a cache belongs to one JVM build and one jar (kept at the same path and time).
# Docker reruns this stage whenever the jar changed. Should the training fail, the image has no cache and the server
# starts without one, as it also does when the JVM refuses a cache.
FROM eclipse-temurin:25-jre AS aot
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql postgresql-postgis curl >/dev/null && rm -rf /var/lib/apt/lists/*
RUN groupadd --system streetcad && useradd --system --gid streetcad --home-dir /opt/streetcad streetcad \
    && mkdir -p /opt/streetcad/aot && chown streetcad:streetcad /opt/streetcad /opt/streetcad/aot
WORKDIR /opt/streetcad
COPY --from=build /src/target/streetcad.jar streetcad.jar
COPY geodata geodata
COPY scripts/aot.sh scripts/serve.jvmopts scripts/
USER streetcad
RUN STREETCAD_JAVA_OPTS=-XX:MaxRAMPercentage=75 bash -c '. scripts/aot.sh; streetcad_aot_cache java \
      /opt/streetcad/streetcad.jar /opt/streetcad/aot/streetcad.aot --data-dir /tmp/train --load-sample geodata/florence-osm \
      ; [ -f aot/streetcad.aot ] || tail -n 30 aot/streetcad.aot.log; rm -rf aot/*.log aot/*.tmp /tmp/train'

FROM eclipse-temurin:25-jre
RUN groupadd --system streetcad && useradd --system --gid streetcad --home-dir /opt/streetcad streetcad
WORKDIR /opt/streetcad
COPY --from=aot /opt/streetcad/streetcad.jar streetcad.jar
COPY --from=aot /opt/streetcad/aot aot
COPY scripts/serve.jvmopts serve.jvmopts
COPY geodata geodata
USER streetcad
ENV STREETCAD_HOST=0.0.0.0 STREETCAD_PORT=7070
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/7070 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q alive <&3"]
# No embedded cluster in a container: STREETCAD_DB_URL must name the PostGIS database.
# The serving JVM's options (scripts/serve.jvmopts; its training run above used the same). The image runs as the user
# streetcad, not root, so the JVM warns once that it keeps the threads' priorities unchanged (the file says why).
ENTRYPOINT ["java", "@/opt/streetcad/serve.jvmopts", "-XX:MaxRAMPercentage=75", "-XX:AOTCache=/opt/streetcad/aot/streetcad.aot", "-jar", "/opt/streetcad/streetcad.jar"]
CMD ["serve"]
