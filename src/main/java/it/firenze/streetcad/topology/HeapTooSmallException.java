package it.firenze.streetcad.topology;

/** The lines to validate would not fit in this JVM's heap: said before reading them, not by an OutOfMemoryError. */
public final class HeapTooSmallException extends IllegalStateException {

    HeapTooSmallException(String message) {
        super(message);
    }
}
