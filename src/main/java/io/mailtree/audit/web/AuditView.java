package io.mailtree.audit.web;

import java.util.Locale;
import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * How the audit page writes what it stores: a loopback address as "this machine (::1)" in the
 * reader's language, and the long IPv6 loopback form Java reports ({@code 0:0:0:0:0:0:0:1}) in its
 * short form. Only literal addresses are read: nothing here asks DNS.
 */
@Component("auditView")
public class AuditView {

    private final MessageSource messages;

    AuditView(MessageSource messages) {
        this.messages = messages;
    }

    public String address(String address) {
        if (address == null || address.isBlank()) {
            return "";
        }
        String shown = shortForm(address.strip());
        if (shown.equals("::1") || shown.startsWith("127.")) {
            Locale locale = LocaleContextHolder.getLocale();
            return messages.getMessage("audit.address.local", new Object[] {shown}, locale);
        }
        return shown;
    }

    static String shortForm(String address) {
        String lower = address.toLowerCase(Locale.ROOT);
        if (lower.equals("0:0:0:0:0:0:0:1") || lower.equals("::1") || lower.equals("[::1]")) {
            return "::1";
        }
        return address;
    }
}
