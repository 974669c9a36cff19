package io.mailtree.contacts.api;

import io.mailtree.shared.DomainProblem;

/** Path ids of contacts, lists and test recipients: anything that is not one answers 404, never 500. */
final class Ids {

    private Ids() {
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
