package it.firenze.streetcad.importer;

import it.firenze.streetcad.importer.shapefile.DbfField;
import it.firenze.streetcad.importer.shapefile.ShapeRecord;
import it.firenze.streetcad.importer.shapefile.ShapeRecords;
import it.firenze.streetcad.importer.shapefile.ShapeType;
import it.firenze.streetcad.importer.shapefile.ShapefileLayer;

import java.util.OptionalInt;

/** A shapefile layer as the pipeline reads it. */
final class ShapefileSource implements SourceLayer {

    private final ShapefileLayer layer;
    private ShapeRecords open;

    ShapefileSource(ShapefileLayer layer) {
        this.layer = layer;
    }

    @Override
    public String name() {
        return layer.name();
    }

    @Override
    public String geometryType() {
        return layer.shapeType().label();
    }

    @Override
    public boolean holdsLines() {
        return layer.shapeType().isLine() || (layer.shapeType() == ShapeType.NULL && layer.recordCount() == 0);
    }

    @Override
    public boolean hasZ() {
        return layer.hasZ();
    }

    @Override
    public boolean hasM() {
        return layer.hasM();
    }

    @Override
    public OptionalInt srid() {
        return layer.srid();
    }

    @Override
    public String sridSource() {
        return layer.sridSource();
    }

    @Override
    public String charset() {
        return layer.charset().name();
    }

    @Override
    public String charsetSource() {
        return layer.charsetSource();
    }

    @Override
    public java.util.List<it.firenze.streetcad.importer.report.Note> notices() {
        return layer.notices();
    }

    @Override
    public java.util.List<String> fields() {
        return layer.fields().stream().map(DbfField::name).toList();
    }

    @Override
    public long featureCount() {
        return layer.recordCount();
    }

    @Override
    public long deletedFeatures() {
        return open == null ? 0 : open.deletedRecords();
    }

    @Override
    public Features features() {
        ShapeRecords records = layer.records();
        open = records;
        return new Features() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public ShapeRecord next() {
                return records.next();
            }

            @Override
            public void close() {
                records.close();
            }
        };
    }
}
