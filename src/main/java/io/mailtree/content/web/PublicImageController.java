package io.mailtree.content.web;

import io.mailtree.content.Image;
import io.mailtree.content.Images;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * Serves library images at their public URL, as recipients' mail clients fetch them: no sign-in,
 * long caching, the type sniffed at upload, and headers that stop a browser from treating the
 * bytes as anything else.
 */
@Controller
class PublicImageController {

    private final Images images;

    PublicImageController(Images images) {
        this.images = images;
    }

    @GetMapping("/i/{token}")
    void image(@PathVariable String token, HttpServletResponse response) throws IOException {
        Image image = images.byToken(token).orElse(null);
        if (image == null) {
            response.sendError(404);
            return;
        }
        response.setContentType(image.contentType());
        response.setContentLengthLong(image.sizeBytes());
        response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", "default-src 'none'; sandbox");
        response.setHeader("Content-Disposition", "inline");
        try (InputStream in = images.open(image)) {
            in.transferTo(response.getOutputStream());
        }
    }
}
