package io.mailtree.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;

/** A full Mailtree on a random port, on PostgreSQL, with GreenMail as its SMTP relay. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("it")
@Import(TestInfrastructure.class)
@org.springframework.test.context.ContextConfiguration(initializers = SmtpRelayInitializer.class)
public @interface IntegrationTest {
}
