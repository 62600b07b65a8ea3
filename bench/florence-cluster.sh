# Sourced by the benchmarks that serve Florence: a throw-away cluster (bench/scratch-cluster.sh; the caller sets
# $pgport, $srid and $bench) holding the cadastre schema and the Florence sample, loaded from geodata/ with ogr2ogr
# and src/test/resources/florence/osm-to-cadastre.sql.
. bench/scratch-cluster.sh
"$JAVA_HOME/bin/java" -jar target/streetcad.jar migrate --db-url "$url" --storage-srid $srid >/dev/null
"${psql[@]}" -d cadastre -c "CREATE TABLE osm_highway (wkt text, name text, highway text, bicycle text, foot text,
  access text, surface text, oneway text, maxspeed text, tunnel text, bridge text)"
ogr2ogr -f CSV /vsistdout/ geodata/florence-osm/florence_highways.shp -lco GEOMETRY=AS_WKT \
  | "${psql[@]}" -d cadastre -c "\copy osm_highway FROM STDIN WITH (FORMAT csv, HEADER true)"
"${psql[@]}" -d cadastre -f src/test/resources/florence/osm-to-cadastre.sql
