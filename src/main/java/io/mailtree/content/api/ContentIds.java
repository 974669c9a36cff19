package io.mailtree.content.api;

import io.mailtree.shared.DomainProblem;

/** Path ids: anything that is not a positive number answers 404, never 500. */
final class ContentIds {

    private ContentIds() {
    }

    static long parse(String text, String code, String what) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException notNumber) {
            // fall through
        }
        throw DomainProblem.notFound(code, what);
    }
}
