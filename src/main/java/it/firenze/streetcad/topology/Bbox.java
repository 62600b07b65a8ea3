package it.firenze.streetcad.topology;

/** The area a topology operation works on, as typed by a person or a client: minLon,minLat,maxLon,maxLat (CRS84). */
public final class Bbox {

    private Bbox() {
    }

    /** Parses "minLon,minLat,maxLon,maxLat"; null or blank means the whole cadastre (null). */
    public static double[] parse(String text) {
        if (text == null || text.isBlank()) return null;
        String[] parts = text.split(",");
        if (parts.length != 4) {
            throw new IllegalArgumentException("bbox must be minLon,minLat,maxLon,maxLat (four numbers), not '" + text + "'");
        }
        double[] b = new double[4];
        for (int i = 0; i < 4; i++) {
            try {
                b[i] = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bbox value '" + parts[i].strip() + "' is not a number");
            }
            if (!Double.isFinite(b[i])) throw new IllegalArgumentException("bbox values must be finite numbers");
        }
        if (b[0] > b[2] || b[1] > b[3]) {
            throw new IllegalArgumentException("bbox minimum must not exceed maximum: minLon,minLat,maxLon,maxLat");
        }
        if (b[0] < -180 || b[2] > 180 || b[1] < -90 || b[3] > 90) {
            throw new IllegalArgumentException("bbox is in longitude/latitude degrees (CRS84): within -180,-90,180,90");
        }
        return b;
    }
}
