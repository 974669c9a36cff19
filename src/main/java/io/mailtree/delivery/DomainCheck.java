package io.mailtree.delivery;

import java.time.Instant;

/**
 * What the last DNS check found for one record of a sending domain.
 *
 * @param purpose the record, as {@link SendingDomain.DnsRecord#purpose()} names it, or {@code RETURN-PATH}
 * @param name the DNS name that was looked up
 * @param expected what was looked for
 * @param found what the DNS answered there (null: no record of the kind)
 */
public record DomainCheck(String purpose, Status status, String name, String expected, String found, Instant checkedAt) {

    /** The purpose of the return-path check: the bounce domain of the domain's mail receives mail (an MX). */
    public static final String RETURN_PATH = "RETURN-PATH";

    public enum Status {
        /** The record is published as Mailtree asks. */
        VERIFIED,
        /** No record of the kind at the name. */
        MISSING,
        /** A record is there, but not the one asked for (another key, no include, two SPF records…). */
        WRONG,
        /** The lookup got no answer (timeout, server failure): nothing is known either way. */
        FAILED
    }

    public boolean verified() {
        return status == Status.VERIFIED;
    }
}
