package it.firenze.streetcad.viability;

/**
 * The one definition of the network viability works on: the road elements live now. Resolution, routing, the
 * network state and the feeds all read elements through it, so that following the cadastre's temporal model
 * means changing this line only.
 */
final class LiveNetwork {

    /** A relation of the live road elements, to alias in a FROM clause. */
    static final String ELEMENTS = "(SELECT * FROM road_element WHERE valid_to IS NULL OR valid_to > now())";

    private LiveNetwork() {
    }
}
