package io.mailtree.shared;

import java.util.Collections;

/** Pieces of SQL for statements that bind a list of values, such as {@code id in (?,?,?)}. */
public final class SqlLists {

    private SqlLists() {
    }

    /**
     * {@code ?,?,?} for an {@code in (...)} of this many values. Callers keep {@code count} above
     * zero, since {@code in ()} is not valid SQL, and bounded (the drivers cap parameters per statement).
     */
    public static String placeholders(int count) {
        return String.join(",", Collections.nCopies(count, "?"));
    }
}
