package dev.parity.features.engine;

import java.io.IOException;

/**
 * An input file the readers cannot go on reading (a broken CSV quote, Parquet data that does not
 * decode): the message is one line naming the file and where. Commands report it as they report a
 * bad option, in one line with exit code 2, also when it ends a running job.
 */
public final class BadInputException extends IOException {
    private static final long serialVersionUID = 1L;

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }

    public BadInputException(String message) {
        super(message);
    }
}
