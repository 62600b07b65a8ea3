package it.firenze.streetcad.viability;

/**
 * The network viability works on: the road elements live now, as the cadastre's temporal model defines them once
 * (the {@code live_road_element} view of V7__temporal.sql). Resolution, routing, the network state and the feeds
 * all read elements through it.
 */
final class LiveNetwork {

    /** A relation of the live road elements, to alias in a FROM clause. */
    static final String ELEMENTS = "live_road_element";

    private LiveNetwork() {
    }
}
