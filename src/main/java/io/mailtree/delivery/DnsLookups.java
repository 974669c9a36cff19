package io.mailtree.delivery;

import java.io.IOException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * TXT and MX lookups through dnsjava, on the resolver {@code mailtree.dns.resolver} names or the
 * system's. A name that does not exist (NXDOMAIN) and a name without records of the type both
 * answer an empty list; a lookup that got no usable answer (timeout, SERVFAIL, refused) throws
 * {@link LookupFailed}, so a resolver outage is never mistaken for a removed record.
 */
@Component
class DnsLookups {

    private final Resolver resolver;

    DnsLookups(DnsSettings settings) {
        this.resolver = resolver(settings);
    }

    /** The TXT records at {@code name}, each one's strings joined as RFC 7208 §3.3 reads them. */
    List<String> txt(String name) {
        List<String> texts = new ArrayList<>();
        for (Record record : query(name, Type.TXT)) {
            if (record instanceof TXTRecord txt) {
                texts.add(String.join("", txt.getStrings()));
            }
        }
        return texts;
    }

    /** The MX records at {@code name}, as {@code priority host} with the host's trailing dot removed. */
    List<Mx> mx(String name) {
        List<Mx> hosts = new ArrayList<>();
        for (Record record : query(name, Type.MX)) {
            if (record instanceof MXRecord mx) {
                String host = mx.getTarget().toString(true);
                hosts.add(new Mx(mx.getPriority(), host.isEmpty() ? "." : host));
            }
        }
        return hosts;
    }

    record Mx(int priority, String host) {

        /** RFC 7505: one MX of priority 0 to the root says the domain accepts no mail at all. */
        boolean isNull() {
            return ".".equals(host) || host.isEmpty();
        }

        @Override
        public String toString() {
            return priority + " " + host;
        }
    }

    /** A lookup that got no answer to judge by. */
    static final class LookupFailed extends RuntimeException {

        LookupFailed(String message) {
            super(message);
        }
    }

    private List<Record> query(String name, int type) {
        Name fqdn;
        try {
            fqdn = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException invalid) {
            throw new LookupFailed("not a DNS name: " + name);
        }
        Message response;
        try {
            response = resolver.send(Message.newQuery(Record.newRecord(fqdn, type, DClass.IN)));
        } catch (IOException unanswered) {
            throw new LookupFailed("no answer from the DNS resolver (" + unanswered.getMessage() + ")");
        }
        int rcode = response.getRcode();
        if (rcode == Rcode.NXDOMAIN) {
            return List.of();
        }
        if (rcode != Rcode.NOERROR) {
            throw new LookupFailed("the DNS resolver answered " + Rcode.string(rcode));
        }
        // The answer section may start with the CNAME chain that led to the records: keep the records.
        return response.getSection(Section.ANSWER).stream().filter(r -> r.getType() == type).toList();
    }

    private static Resolver resolver(DnsSettings settings) {
        String configured = settings.resolver() == null ? "" : settings.resolver().strip();
        Resolver chosen;
        try {
            if (configured.isEmpty()) {
                chosen = new ExtendedResolver();
            } else {
                // host, host:port, an IPv6 address alone, or [IPv6]:port
                String host = configured;
                Integer port = null;
                if (configured.startsWith("[")) {
                    int close = configured.indexOf(']');
                    host = configured.substring(1, close < 0 ? configured.length() : close);
                    if (close > 0 && configured.length() > close + 1 && configured.charAt(close + 1) == ':') {
                        port = Integer.parseInt(configured.substring(close + 2));
                    }
                } else if (configured.indexOf(':') > 0 && configured.indexOf(':') == configured.lastIndexOf(':')) {
                    host = configured.substring(0, configured.indexOf(':'));
                    port = Integer.parseInt(configured.substring(configured.indexOf(':') + 1));
                }
                SimpleResolver simple = new SimpleResolver(host);
                if (port != null) {
                    simple.setPort(port);
                }
                chosen = simple;
            }
        } catch (UnknownHostException | NumberFormatException unusable) {
            throw new IllegalStateException("mailtree.dns.resolver is not host, host:port or [IPv6]:port: " + configured, unusable);
        }
        chosen.setTimeout(settings.timeout());
        return chosen;
    }
}
