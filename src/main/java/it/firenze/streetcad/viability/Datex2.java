package it.firenze.streetcad.viability;

import com.fasterxml.jackson.core.JsonProcessingException;
import it.firenze.streetcad.api.Json;
import it.firenze.streetcad.db.Database;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The DATEX II v3 SituationPublication of current and planned roadworks and closures, for navigation providers and
 * the regional traffic centre: one situation per measure in force whose validity has not ended, one record per
 * continuous stretch, located by its coordinates (a GML line string, latitude first), with its windows as recurring
 * valid periods. Measures of a works site are
 * MaintenanceWorks; those of an ordinance RoadOrCarriagewayOrLaneManagement.
 */
final class Datex2 {

    static final String D2 = "http://datex2.eu/schema/3/d2Payload";
    static final String COM = "http://datex2.eu/schema/3/common";
    static final String SIT = "http://datex2.eu/schema/3/situation";
    static final String LOC = "http://datex2.eu/schema/3/locationReferencing";
    static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";

    /** DATEX II RoadOrCarriagewayOrLaneManagementTypeEnum for the measures the feed carries. */
    private static final Map<String, String> MANAGEMENT = Map.of("closure", "roadClosed", "lane_closure", "laneClosures",
            "narrowing", "narrowLanes");

    private static final DateTimeFormatter WALL_CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final Database database;

    Datex2(Database database) {
        this.database = database;
    }

    String situationPublication(Instant now) throws SQLException {
        StringWriter out = new StringWriter();
        try (Connection c = database.connection();
             PreparedStatement st = c.prepareStatement("SELECT m.id, m.kind, m.version, m.created_at, m.updated_at, "
                     + "m.valid_from, m.valid_to, m.works_id, coalesce(w.permit, o.number || '/' || o.year), "
                     + "coalesce(w.organisation, o.office), m.description, line.path[1], "
                     + "(SELECT string_agg(ST_Y(p.geom)::numeric(10, 7) || ' ' || ST_X(p.geom)::numeric(10, 7), ' ' "
                     + "ORDER BY p.path) FROM ST_DumpPoints(ST_Transform(line.geom, 4326)) p), m.windows::text "
                     + "FROM measure m LEFT JOIN works w ON w.id = m.works_id LEFT JOIN ordinance o ON o.id = m.ordinance_id "
                     + "CROSS JOIN LATERAL ST_Dump(ST_LineMerge(m.geom)) line "
                     + "WHERE m.status = 'in_force' AND m.kind IN ('closure', 'lane_closure', 'narrowing') "
                     + "AND (m.valid_to IS NULL OR m.valid_to > ?) ORDER BY m.id, line.path[1]")) {
            st.setTimestamp(1, Timestamp.from(now));
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
            x.writeStartDocument("UTF-8", "1.0");
            x.setPrefix("d2", D2);
            x.setPrefix("com", COM);
            x.setPrefix("sit", SIT);
            x.setPrefix("loc", LOC);
            x.setPrefix("xsi", XSI);
            x.writeStartElement(D2, "payload");
            x.writeNamespace("d2", D2);
            x.writeNamespace("com", COM);
            x.writeNamespace("sit", SIT);
            x.writeNamespace("loc", LOC);
            x.writeNamespace("xsi", XSI);
            x.writeAttribute(XSI, "type", "sit:SituationPublication");
            x.writeAttribute("lang", "it");
            x.writeAttribute("modelBaseVersion", "3");
            text(x, COM, "publicationTime", now.toString());
            x.writeStartElement(COM, "publicationCreator");
            text(x, COM, "country", "it");
            text(x, COM, "nationalIdentifier", "Comune di Firenze - StreetCad");
            x.writeEndElement();
            long open = -1;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (id != open) {
                        if (open >= 0) x.writeEndElement();
                        open = id;
                        x.writeStartElement(SIT, "situation");
                        x.writeAttribute("id", "streetcad-measure-" + id);
                        x.writeStartElement(SIT, "headerInformation");
                        text(x, COM, "confidentiality", "noRestriction");
                        text(x, COM, "informationStatus", "real");
                        x.writeEndElement();
                    }
                    record(x, rs);
                }
            }
            if (open >= 0) x.writeEndElement();
            x.writeEndElement();
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing the DATEX II feed failed", e);
        }
        return out.toString();
    }

    private static void record(XMLStreamWriter x, ResultSet rs) throws SQLException, XMLStreamException {
        boolean works = rs.getObject(8) != null;
        x.writeStartElement(SIT, "situationRecord");
        x.writeAttribute(XSI, "type", works ? "sit:MaintenanceWorks" : "sit:RoadOrCarriagewayOrLaneManagement");
        x.writeAttribute("id", "streetcad-measure-" + rs.getLong(1) + "-" + rs.getInt(12));
        x.writeAttribute("version", Integer.toString(rs.getInt(3)));
        text(x, SIT, "situationRecordCreationTime", rs.getTimestamp(4).toInstant().toString());
        text(x, SIT, "situationRecordVersionTime", rs.getTimestamp(5).toInstant().toString());
        text(x, SIT, "probabilityOfOccurrence", "certain");
        x.writeStartElement(SIT, "source");
        if (rs.getString(10) != null) {
            x.writeStartElement(COM, "sourceName");
            values(x, rs.getString(10));
            x.writeEndElement();
        }
        x.writeEndElement();
        x.writeStartElement(SIT, "validity");
        text(x, COM, "validityStatus", "definedByValidityTimeSpec");
        x.writeStartElement(COM, "validityTimeSpecification");
        text(x, COM, "overallStartTime", rs.getTimestamp(6).toInstant().toString());
        if (rs.getTimestamp(7) != null) text(x, COM, "overallEndTime", rs.getTimestamp(7).toInstant().toString());
        validPeriods(x, rs.getString(14));
        x.writeEndElement();
        x.writeEndElement();
        String reference = rs.getString(9);
        String comment = rs.getString(11) != null ? rs.getString(11)
                : reference == null ? null : (works ? "Cantiere, autorizzazione " : "Ordinanza ") + reference;
        // A measure of neither an ordinance nor works, without a description, has nothing to say (the comment is
        // optional): a bare "Ordinanza " would tell the public of an ordinance that does not exist.
        if (comment != null) {
            x.writeStartElement(SIT, "generalPublicComment");
            x.writeStartElement(COM, "comment");
            values(x, comment);
            x.writeEndElement();
            x.writeEndElement();
        }
        x.writeStartElement(SIT, "locationReference");
        x.writeAttribute(XSI, "type", "loc:SingleRoadLinearLocation");
        x.writeStartElement(LOC, "gmlLineString");
        text(x, LOC, "posList", rs.getString(13));
        x.writeEndElement();
        x.writeEndElement();
        if (works) {
            text(x, SIT, "roadMaintenanceType", "roadworks");
        } else {
            text(x, SIT, "complianceOption", "mandatory");
            text(x, SIT, "roadOrCarriagewayOrLaneManagementType", MANAGEMENT.get(rs.getString(2)));
        }
        x.writeEndElement();
    }

    /**
     * The measure's windows as recurring valid periods: times of day without an offset, which DATEX II reads as the
     * local time of the place (the wall clock, as the ordinance means), and the days they start on.
     */
    private static void validPeriods(XMLStreamWriter x, String windows) throws XMLStreamException {
        List<Schedule.Window> list;
        try {
            list = Measure.windows(Json.mapper().readTree(windows));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a measure's stored windows are not JSON", e);
        }
        for (Schedule.Window w : list) {
            x.writeStartElement(COM, "validPeriod");
            x.writeStartElement(COM, "recurringTimePeriodOfDay");
            text(x, COM, "startTimeOfPeriod", time(w.start()));
            text(x, COM, "endTimeOfPeriod", time(w.end()));
            x.writeEndElement();
            if (w.days().size() < 7) {
                x.writeStartElement(COM, "recurringDayWeekMonthPeriod");
                for (DayOfWeek d : w.days()) text(x, COM, "applicableDay", d.name().toLowerCase(Locale.ROOT));
                x.writeEndElement();
            }
            x.writeEndElement();
        }
    }

    /** An xs:time of the wall clock; the end of the day ("24:00" in a window) is 24:00:00. */
    private static String time(LocalTime t) {
        return t.equals(LocalTime.MAX) ? "24:00:00" : t.format(WALL_CLOCK);
    }

    /** A DATEX II MultilingualString with one Italian value. */
    private static void values(XMLStreamWriter x, String text) throws XMLStreamException {
        x.writeStartElement(COM, "values");
        x.writeStartElement(COM, "value");
        x.writeAttribute("lang", "it");
        x.writeCharacters(text);
        x.writeEndElement();
        x.writeEndElement();
    }

    private static void text(XMLStreamWriter x, String ns, String name, String value) throws XMLStreamException {
        x.writeStartElement(ns, name);
        x.writeCharacters(value);
        x.writeEndElement();
    }
}
