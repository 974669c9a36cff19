package io.mailtree;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point: starts Mailtree on its embedded defaults unless configured otherwise. */
@SpringBootApplication
public class MailtreeApplication {

    public static void main(String[] args) {
        // Webhook requests connect to the address that passed the SSRF check and name the host in their Host
        // header, which the JDK's HTTP client allows only if told so before it is first used (ADR 0015).
        if (System.getProperty("jdk.httpclient.allowRestrictedHeaders") == null) {
            System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
        }
        SpringApplication.run(MailtreeApplication.class, args);
    }
}
