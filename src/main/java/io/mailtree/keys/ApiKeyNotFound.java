package io.mailtree.keys;

import io.mailtree.shared.DomainProblem;

/**
 * No key with that id in the caller's reach: also what a key of another master, of a sibling
 * sub-account, or a malformed id answers, so that ids of other tenants cannot be probed.
 */
public class ApiKeyNotFound extends DomainProblem {

    public static final String CODE = "api_key_not_found";

    public ApiKeyNotFound() {
        super(404, CODE, "API key not found");
    }
}
