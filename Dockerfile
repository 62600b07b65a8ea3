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

FROM eclipse-temurin:25-jre
RUN groupadd --system streetcad && useradd --system --gid streetcad --home-dir /opt/streetcad streetcad
WORKDIR /opt/streetcad
COPY --from=build /src/target/streetcad.jar streetcad.jar
COPY geodata geodata
USER streetcad
ENV STREETCAD_HOST=0.0.0.0 STREETCAD_PORT=7070
EXPOSE 7070
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/7070 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q alive <&3"]
# No embedded cluster in a container: STREETCAD_DB_URL must name the PostGIS database.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "streetcad.jar"]
CMD ["serve"]
