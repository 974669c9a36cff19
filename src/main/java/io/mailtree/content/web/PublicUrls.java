package io.mailtree.content.web;

import io.mailtree.content.Image;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The full public URL of a library image, as e-mails reference it: the installation's base URL plus its path. */
@Component
class PublicUrls {

    private final String baseUrl;

    PublicUrls(@Value("${mailtree.base-url}") String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    String of(Image image) {
        return baseUrl + image.path();
    }
}
