package io.mailtree.campaigns.web;

import io.mailtree.campaigns.Tracking;
import java.net.URI;
import java.util.Base64;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.server.ResponseStatusException;

/**
 * The open pixel and the click redirect of campaign mail (ADR 0027), public on the tracking base
 * URL: the signed token in the path is the proof, so there is no session, cookie or CSRF token
 * ({@code /t/o/*} and {@code /t/c/*} have a stateless security chain of their own). Answers are
 * {@code Cache-Control: no-store}, so no proxy or mail client serves a second open from a cache and a
 * shared cache never keeps one recipient's redirect. A token that does not verify answers 404 and
 * records nothing; a click redirects only to the URL the campaign stored for the token's link.
 */
@Controller
class TrackingController {

    /** The smallest transparent 1×1 GIF: 43 bytes. */
    static final byte[] PIXEL = Base64.getDecoder().decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==");

    private static final CacheControl NO_STORE = CacheControl.noStore();

    private final Tracking tracking;

    TrackingController(Tracking tracking) {
        this.tracking = tracking;
    }

    @GetMapping("/t/o/{token}")
    ResponseEntity<byte[]> open(@PathVariable String token,
            @RequestHeader(value = HttpHeaders.USER_AGENT, required = false) String userAgent) {
        if (!tracking.open(token, userAgent)) {
            throw new InvalidLink();
        }
        return ResponseEntity.ok().cacheControl(NO_STORE).header(HttpHeaders.PRAGMA, "no-cache")
                .header(HttpHeaders.EXPIRES, "0").contentType(MediaType.IMAGE_GIF).contentLength(PIXEL.length).body(PIXEL);
    }

    @GetMapping("/t/c/{token}")
    ResponseEntity<Void> click(@PathVariable String token,
            @RequestHeader(value = HttpHeaders.USER_AGENT, required = false) String userAgent) {
        Optional<String> target = tracking.click(token, userAgent);
        if (target.isEmpty()) {
            throw new InvalidLink();
        }
        return ResponseEntity.status(HttpStatus.FOUND).cacheControl(NO_STORE).location(URI.create(target.get())).build();
    }

    /** A forged, altered or expired link: 404, as for any page that does not exist. */
    static final class InvalidLink extends ResponseStatusException {
        InvalidLink() {
            super(HttpStatus.NOT_FOUND, "tracking link not valid");
        }
    }
}
