package it.firenze.streetcad.viability;

/**
 * Where a measure applies on one road element, by linear reference: metres from the element's start and the
 * direction of travel it concerns, relative to the element's digitised direction (from_junction → to_junction).
 */
public record Stretch(long elementId, double fromM, double toM, String direction) {

    public boolean forward() {
        return !direction.equals("backward");
    }

    public boolean backward() {
        return !direction.equals("forward");
    }
}
