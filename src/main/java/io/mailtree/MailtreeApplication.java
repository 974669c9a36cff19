package io.mailtree;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point: starts Mailtree on its embedded defaults unless configured otherwise. */
@SpringBootApplication
public class MailtreeApplication {

    public static void main(String[] args) {
        SpringApplication.run(MailtreeApplication.class, args);
    }
}
