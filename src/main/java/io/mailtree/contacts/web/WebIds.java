package io.mailtree.contacts.web;

import io.mailtree.shared.DomainProblem;
import io.mailtree.shared.Ids;
import java.util.UUID;

/** Ids taken from paths and query strings: anything that is not one answers 404, never 500. */
final class WebIds {

    private WebIds() {
    }

    /** Forms and query strings may carry spaces around an id; the page forgives them. */
    static long parse(String text, String code, String what) {
        return Ids.positive(text == null ? null : text.strip(), code, what);
    }

    /** An optional list id of a filter or a form: blank means none. */
    static Long optionalList(String text) {
        return text == null || text.isBlank() ? null : parse(text, "list_not_found", "list");
    }

    static UUID importId(String text) {
        return Ids.parseUuid(text).orElseThrow(() -> DomainProblem.notFound("import_not_found", "import"));
    }
}
