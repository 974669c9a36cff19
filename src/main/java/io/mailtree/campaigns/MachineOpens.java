package io.mailtree.campaigns;

import java.util.List;
import java.util.Locale;

/**
 * Whether a pixel request looks like a machine's rather than a person's (ADR 0027). Apple Mail
 * Privacy Protection fetches every image of every message through its proxy when the message
 * arrives, with the bare user agent {@code Mozilla/5.0}; security gateways and link scanners name
 * themselves or an HTTP library. A proxy that fetches when the person opens (Gmail's, Yahoo's) is a
 * person's open. The other sign, an open within seconds of delivery, is judged by delivery with the
 * message's delivery time ({@code Engagements}). Neither is proof: the report keeps machine opens
 * apart instead of dropping them.
 */
final class MachineOpens {

    private static final List<String> MACHINE_AGENTS = List.of("bot", "crawler", "spider", "barracuda", "mimecast",
            "proofpoint", "symantec", "trendmicro", "forcepoint", "python-requests", "curl/", "wget/", "go-http-client",
            "java-http-client", "okhttp", "apache-httpclient", "headlesschrome", "linkpreview",
            "facebookexternalhit", "slackbot");

    private MachineOpens() {
    }

    static boolean isMachine(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return true;
        }
        String agent = userAgent.strip();
        if (agent.equals("Mozilla/5.0")) {
            return true; // Apple's privacy proxy
        }
        String lower = agent.toLowerCase(Locale.ROOT);
        for (String marker : MACHINE_AGENTS) {
            if (lower.contains(marker)) {
                return true;
            }
        }
        return false;
    }
}
