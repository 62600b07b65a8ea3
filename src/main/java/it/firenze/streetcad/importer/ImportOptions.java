package it.firenze.streetcad.importer;

import org.locationtech.jts.geom.Envelope;

/**
 * What an import is asked to do. {@code area} (lon/lat, CRS84) limits a {@link ImportMode#REPLACE} to the
 * existing elements that meet it; it has no meaning in the other modes. {@code buildNetwork}: the source is raw
 * lines, to be split into elements from junction to junction once committed.
 */
public record ImportOptions(Mapping mapping, ImportMode mode, Envelope area, boolean buildNetwork) {

    public ImportOptions(Mapping mapping, ImportMode mode, Envelope area) {
        this(mapping, mode, area, false);
    }

    public ImportOptions {
        if (mapping == null) throw new IllegalArgumentException("an import needs a mapping");
        if (mode == null) mode = ImportMode.APPEND;
        if (area != null && mode != ImportMode.REPLACE) {
            throw new IllegalArgumentException("an area only limits a replace; the mode is " + mode.label());
        }
        if (mode == ImportMode.UPSERT && !mapping.maps(TargetField.SOURCE_KEY)) {
            throw new IllegalArgumentException("upsert matches elements by source_key, and the mapping '" + mapping.name()
                    + "' does not fill source_key");
        }
    }

    /** Parses {@code minLon,minLat,maxLon,maxLat}; null for null or blank. */
    public static Envelope parseArea(String text) {
        if (text == null || text.isBlank()) return null;
        String[] parts = text.split(",");
        if (parts.length != 4) throw new IllegalArgumentException("area is minLon,minLat,maxLon,maxLat");
        double[] v = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                v[i] = Double.NaN;
            }
            // NaN passes every comparison below as false: an area of NaN was taken, and a replace ran over it.
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException("area is minLon,minLat,maxLon,maxLat; '" + parts[i].strip() + "' is not a number");
            }
        }
        if (v[0] >= v[2] || v[1] >= v[3] || v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90) {
            throw new IllegalArgumentException("area is minLon,minLat,maxLon,maxLat in degrees with min below max");
        }
        return new Envelope(v[0], v[2], v[1], v[3]);
    }
}
