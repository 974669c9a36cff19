package io.mailtree.campaigns;

import io.mailtree.shared.AccountId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The tracked links of a campaign (ADR 0027): the literal {@code http(s)} hrefs of its HTML, numbered
 * when the campaign is created and stored in {@code campaign_link}. Only these are rewritten to click
 * links, and a click redirects only to one of these. An href built by the template language
 * ({@code {{...}}}, such as the unsubscribe link) is left as it is: its URL differs per recipient, so
 * there is no one stored URL to send a click to. Stored links never change, so the redirect's lookup
 * is cached.
 */
@Component
class CampaignLinks {

    /** More links than this in one e-mail are left untracked past the limit (a token per link per recipient). */
    static final int MAX_LINKS = 200;
    private static final Pattern HREF = Pattern.compile("(<a\\b[^>]*?\\bhref\\s*=\\s*)([\"'])(.*?)\\2",
            Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final int CACHE_LIMIT = 50_000;

    /** One stored link. */
    record Link(int index, String url, String hash) {
    }

    private final JdbcClient jdbc;
    private final Map<Long, Map<Integer, Link>> cache = new ConcurrentHashMap<>();

    CampaignLinks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The distinct literal http(s) links of an HTML body, in order of first appearance. */
    static List<String> extract(String html) {
        List<String> urls = new ArrayList<>();
        if (html == null) {
            return urls;
        }
        Matcher matcher = HREF.matcher(html);
        while (matcher.find() && urls.size() < MAX_LINKS) {
            String url = unescape(matcher.group(3).strip());
            if (trackable(url) && !urls.contains(url)) {
                urls.add(url);
            }
        }
        return urls;
    }

    private static boolean trackable(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        return (lower.startsWith("https://") || lower.startsWith("http://")) && url.length() <= 2000
                && !url.contains("{{") && !url.contains("{%") && url.chars().noneMatch(c -> c < 0x20 || c == ' ');
    }

    /** The entities an href's value commonly carries; the browser would read the same URL. */
    static String unescape(String href) {
        return href.replace("&amp;", "&").replace("&#38;", "&").replace("&quot;", "\"").replace("&#39;", "'");
    }

    static String hash(String url) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(url.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 11);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Numbers and stores the links of a new campaign's HTML, in the caller's transaction. */
    void store(AccountId account, long campaignId, String html) {
        List<String> urls = extract(html);
        for (int i = 0; i < urls.size(); i++) {
            jdbc.sql("insert into campaign_link (campaign_id, link_index, account_id, url, url_hash) values (?, ?, ?, ?, ?)")
                    .params(campaignId, i, account.value(), urls.get(i), hash(urls.get(i))).update();
        }
    }

    /** A campaign's links by index (cached: they never change). */
    Map<Integer, Link> of(long campaignId) {
        Map<Integer, Link> links = cache.get(campaignId);
        if (links != null) {
            return links;
        }
        Map<Integer, Link> read = new LinkedHashMap<>();
        jdbc.sql("select link_index, url, url_hash from campaign_link where campaign_id = ? order by link_index")
                .param(campaignId).query((rs, n) -> new Link(rs.getInt(1), rs.getString(2), rs.getString(3)))
                .list().forEach(link -> read.put(link.index(), link));
        if (cache.size() > CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(campaignId, read);
        return read;
    }

    /** Drops a campaign's cached links, so the next read sees the table (stored links do not change today). */
    void forget(long campaignId) {
        cache.remove(campaignId);
    }

    /** The stored link a click names, when its URL's hash still matches the token's. */
    Optional<Link> target(long campaignId, int index, String hash) {
        Link link = of(campaignId).get(index);
        return link != null && link.hash().equals(hash) ? Optional.of(link) : Optional.empty();
    }

    /** The HTML with every stored link's href replaced by what {@code clickUrl} makes of it. */
    static String rewrite(String html, Map<Integer, Link> links, Function<Link, String> clickUrl) {
        if (links.isEmpty() || html == null) {
            return html;
        }
        Map<String, Link> byUrl = new java.util.HashMap<>();
        links.values().forEach(link -> byUrl.put(link.url(), link));
        Matcher matcher = HREF.matcher(html);
        StringBuilder out = new StringBuilder(html.length() + links.size() * 200);
        while (matcher.find()) {
            Link link = byUrl.get(unescape(matcher.group(3).strip()));
            String replacement = link == null ? matcher.group()
                    : matcher.group(1) + matcher.group(2) + clickUrl.apply(link) + matcher.group(2);
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
