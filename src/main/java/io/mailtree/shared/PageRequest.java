package io.mailtree.shared;

/** A validated page request: page from 0, size from 1 to 200. */
public record PageRequest(int page, int size) {

    public static final int MAX_SIZE = 200;

    public PageRequest {
        if (page < 0 || page > 10_000_000) {
            throw DomainProblem.invalid("invalid_page", "page must be between 0 and 10000000");
        }
        if (size < 1 || size > MAX_SIZE) {
            throw DomainProblem.invalid("invalid_page_size", "size must be between 1 and " + MAX_SIZE);
        }
    }

    public long offset() {
        return (long) page * size;
    }
}
