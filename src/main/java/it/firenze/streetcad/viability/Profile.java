package it.firenze.streetcad.viability;

import java.util.Locale;
import java.util.Optional;

/**
 * Who travels: what elements they may use, whether one-way rules and traffic measures bind them, which exemption
 * they hold, and their size for weight and height limits. Pedestrians walk every street but motorways in both
 * directions.
 */
public enum Profile {
    CAR(false, null, "car", 1.5, 1.8, 1.0),
    EMERGENCY(false, "emergency", "car", 3.5, 2.8, 1.0),
    BUS(false, "bus", "bus", 18, 3.4, 0.8),
    PEDESTRIAN(true, null, null, 0, 0, 0);

    /** Walking speed, m/s. */
    static final double WALK = 1.4;

    final boolean onFoot;
    /** The exemption this profile holds (emergency, bus), or null. */
    final String exemption;
    /** The vehicle class a vehicle_class measure may bar. */
    final String vehicleClass;
    final double weightT;
    final double heightM;
    /** Share of the speed limit the vehicle keeps on average. */
    final double speedShare;

    Profile(boolean onFoot, String exemption, String vehicleClass, double weightT, double heightM, double speedShare) {
        this.onFoot = onFoot;
        this.exemption = exemption;
        this.vehicleClass = vehicleClass;
        this.weightT = weightT;
        this.heightM = heightM;
        this.speedShare = speedShare;
    }

    public static Optional<Profile> of(String name) {
        for (Profile p : values()) if (p.name().toLowerCase(Locale.ROOT).equals(name)) return Optional.of(p);
        return Optional.empty();
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
