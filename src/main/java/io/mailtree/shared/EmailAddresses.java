package io.mailtree.shared;

import java.net.IDN;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Validation and normalisation of login and recipient addresses. The local part is kept as
 * written; the domain is compared case-insensitively and in its ASCII (IDNA) form, as mail
 * systems do.
 */
public final class EmailAddresses {

    private static final Pattern LOCAL = Pattern.compile("^[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64}$");
    private static final Pattern LABEL = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");

    private EmailAddresses() {
    }

    /**
     * Answers the address with its domain lower-cased, or throws {@code invalid_email}.
     */
    public static String normalise(String raw) {
        if (raw == null) {
            throw invalid();
        }
        String value = raw.strip();
        int at = value.lastIndexOf('@');
        if (value.length() > 254 || at < 1 || at == value.length() - 1) {
            throw invalid();
        }
        String local = value.substring(0, at);
        String domain = value.substring(at + 1);
        if (!LOCAL.matcher(local).matches() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw invalid();
        }
        String ascii = asciiDomain(domain);
        String[] labels = ascii.split("\\.", -1);
        if (labels.length < 2) {
            throw invalid();
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                throw invalid();
            }
        }
        return local + "@" + domain.toLowerCase(Locale.ROOT);
    }

    /**
     * The key a contact is unique on within an account: the local part as written (mail systems may
     * treat it case-sensitively) and the domain in lower-case ASCII, so {@code bücher.de} and
     * {@code xn--bcher-kva.de} are one domain.
     */
    public static String contactKey(String normalised) {
        int at = normalised.lastIndexOf('@');
        return normalised.substring(0, at + 1) + asciiDomain(normalised.substring(at + 1));
    }

    /** The domain in lower-case ASCII; plain ASCII domains skip the (slow) IDNA conversion. */
    private static String asciiDomain(String domain) {
        boolean plain = true;
        for (int i = 0; i < domain.length() && plain; i++) {
            char c = domain.charAt(i);
            plain = c < 128 && c != ' ';
        }
        if (plain) {
            return domain.toLowerCase(Locale.ROOT);
        }
        try {
            return IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException badDomain) {
            throw invalid();
        }
    }

    /** The key logins are unique on: the whole address lower-cased. */
    public static String loginKey(String normalised) {
        return normalised.toLowerCase(Locale.ROOT);
    }

    private static DomainProblem invalid() {
        return DomainProblem.invalid("invalid_email", "not a valid e-mail address").with("field", "email");
    }
}
