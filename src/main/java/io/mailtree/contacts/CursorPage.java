package io.mailtree.contacts;

import java.util.List;

/**
 * A page of a list that may hold millions of items, walked with a keyset cursor: pass
 * {@code nextCursor} back as {@code cursor} for the next page; null means the end. Every page
 * costs the same, first or last.
 */
public record CursorPage<T>(List<T> items, String nextCursor, int limit) {
}
