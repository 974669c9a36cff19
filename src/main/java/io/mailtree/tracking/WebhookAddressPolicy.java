package io.mailtree.tracking;

import io.mailtree.shared.DomainProblem;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Which webhook URLs Mailtree may call (server-side request forgery): http or https only, no user
 * name or password in the URL, and a host whose every address is public. Loopback, private
 * (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16 with the cloud metadata address,
 * fe80::/10), unspecified, multicast, carrier-grade NAT (100.64/10), reserved and benchmarking
 * ranges, and IPv4-mapped, -compatible or NAT64 IPv6 forms of these are refused, unless the operator
 * lists the range in {@code mailtree.webhooks.allow-private-networks} (CIDRs, empty by default).
 * The check runs when an endpoint is saved and again before each send, and the send connects to the
 * address this check resolved, never to a second lookup (DNS rebinding).
 */
@Component
public class WebhookAddressPolicy {

    /** Resolves a host name to its addresses; the JDK's resolver outside tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Where to send: the URL as given, its host, and the checked address to connect to. */
    record Target(URI uri, String host, int port, boolean https, InetAddress address) {
    }

    private final List<Cidr> allowed;
    private final Resolver resolver;

    @Autowired
    WebhookAddressPolicy(@Value("${mailtree.webhooks.allow-private-networks:}") List<String> allowPrivateNetworks) {
        this(allowPrivateNetworks, InetAddress::getAllByName);
    }

    WebhookAddressPolicy(List<String> allowPrivateNetworks, Resolver resolver) {
        List<Cidr> cidrs = new ArrayList<>();
        for (String cidr : allowPrivateNetworks) {
            if (!cidr.isBlank()) {
                cidrs.add(Cidr.parse(cidr.strip()));
            }
        }
        this.allowed = List.copyOf(cidrs);
        this.resolver = resolver;
    }

    /** The URL's target with a checked address, or a 400 problem saying why Mailtree will not call it. */
    Target check(String url) {
        URI uri = parse(url);
        String host = uri.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(bare);
        } catch (UnknownHostException | RuntimeException unknown) {
            throw DomainProblem.invalid("webhook_url_unresolvable", "the host " + bare + " does not resolve", bare);
        }
        if (addresses == null || addresses.length == 0) {
            throw DomainProblem.invalid("webhook_url_unresolvable", "the host " + bare + " does not resolve", bare);
        }
        // Every address must pass: a name with one public and one private address would otherwise reach the
        // private one whenever the client happened to pick it.
        for (InetAddress address : addresses) {
            if (forbidden(address) && !allowedByOperator(address)) {
                throw DomainProblem.invalid("webhook_url_forbidden_address", "the host " + bare + " resolves to "
                        + address.getHostAddress() + ", a loopback, private, link-local or otherwise non-public address",
                        bare, address.getHostAddress());
            }
        }
        boolean https = "https".equals(uri.getScheme().toLowerCase(Locale.ROOT));
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        return new Target(uri, bare, port, https, addresses[0]);
    }

    private static URI parse(String url) {
        if (url == null || url.isBlank() || url.length() > 2000) {
            throw DomainProblem.invalid("webhook_url_invalid", "a webhook URL is an absolute http or https URL of at most 2,000 characters");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException invalid) {
            throw DomainProblem.invalid("webhook_url_invalid", "a webhook URL is an absolute http or https URL of at most 2,000 characters");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw DomainProblem.invalid("webhook_url_scheme", "a webhook URL uses http or https");
        }
        // The raw authority too: "http://user@host" must not pass as a host named "user@host".
        if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
            throw DomainProblem.invalid("webhook_url_credentials",
                    "a webhook URL carries no user name or password; authenticate with the signature");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw DomainProblem.invalid("webhook_url_invalid", "a webhook URL is an absolute http or https URL of at most 2,000 characters");
        }
        if (uri.getRawFragment() != null) {
            throw DomainProblem.invalid("webhook_url_invalid", "a webhook URL is an absolute http or https URL of at most 2,000 characters");
        }
        return uri;
    }

    private boolean allowedByOperator(InetAddress address) {
        InetAddress normal = embeddedIpv4(address);
        for (Cidr cidr : allowed) {
            if (cidr.contains(address) || (normal != null && cidr.contains(normal))) {
                return true;
            }
        }
        return false;
    }

    /** True for every address that is not a public unicast address. */
    static boolean forbidden(InetAddress address) {
        InetAddress embedded = embeddedIpv4(address);
        if (embedded != null) {
            return forbidden(embedded);
        }
        if (address.isAnyLocalAddress() || address.isLoopbackAddress() || address.isLinkLocalAddress()
                || address.isSiteLocalAddress() || address.isMulticastAddress()) {
            return true;
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0                                   // 0.0.0.0/8 "this network"
                    || first == 127                             // the whole loopback /8
                    || (first == 100 && (second & 0xc0) == 64)  // 100.64.0.0/10 carrier-grade NAT
                    || (first == 169 && second == 254)          // 169.254.0.0/16 link-local and metadata
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0.0/24 protocol assignments
                    || (first == 198 && (second & 0xfe) == 18)  // 198.18.0.0/15 benchmarking
                    || first >= 224;                            // multicast, 240/4 reserved, broadcast
        }
        int first = b[0] & 0xff;
        return (first & 0xfe) == 0xfc                            // fc00::/7 unique local
                || (first == 0xfe && (b[1] & 0xc0) == 0x80)      // fe80::/10 link-local
                || (first == 0xfe && (b[1] & 0xc0) == 0xc0)      // fec0::/10 deprecated site-local
                || first == 0xff                                 // multicast
                || (first == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) // 2001:db8::/32
                || allZeroUpTo(b, 16);                           // ::
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible (::a.b.c.d) or NAT64 (64:ff9b::/96) IPv6 address. */
    static InetAddress embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return null;
        }
        byte[] b = address.getAddress();
        boolean mapped = allZeroUpTo(b, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = allZeroUpTo(b, 12) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
        boolean nat64 = b[0] == 0 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b
                && allZeroFrom(b, 4, 12);
        if (!mapped && !compatible && !nat64) {
            return null;
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
        } catch (UnknownHostException impossible) {
            return null;
        }
    }

    private static boolean allZeroUpTo(byte[] b, int end) {
        return allZeroFrom(b, 0, end);
    }

    private static boolean allZeroFrom(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** An address range the operator allows, such as {@code 10.20.0.0/16} or {@code fd00::/8}. */
    record Cidr(byte[] network, int prefix) {

        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            try {
                // Only literals: a name here would be resolved once at start and mean something else later.
                if (!host.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                    throw new IllegalArgumentException("not an IP address");
                }
                byte[] network = InetAddress.getByName(host).getAddress();
                int prefix = slash < 0 ? network.length * 8 : Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > network.length * 8) {
                    throw new IllegalArgumentException("prefix out of range");
                }
                return new Cidr(network, prefix);
            } catch (UnknownHostException | IllegalArgumentException invalid) {
                throw new IllegalStateException("mailtree.webhooks.allow-private-networks: '" + text
                        + "' is not a CIDR such as 10.0.0.0/8 or fd00::/8", invalid);
            }
        }

        boolean contains(InetAddress address) {
            byte[] b = address.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }
}
