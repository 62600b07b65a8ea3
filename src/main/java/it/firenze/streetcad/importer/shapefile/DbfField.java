package it.firenze.streetcad.importer.shapefile;

/**
 * One column of the .dbf table.
 *
 * @param type the dBase type letter: C character, N numeric, F float, D date, L logical (others are read as text)
 */
public record DbfField(String name, char type, int length, int decimals) {
}
