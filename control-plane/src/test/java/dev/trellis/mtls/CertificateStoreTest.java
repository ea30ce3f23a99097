package dev.trellis.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.junit.jupiter.api.Test;

class CertificateStoreTest {

  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final SpiffeId WEB = SpiffeId.of("cluster.local", "web");
  static final SpiffeId API = SpiffeId.of("cluster.local", "api");
  static final Duration LIFETIME = Duration.ofMinutes(30);

  final FakeClock clock = new FakeClock(T0);
  final FakeScheduler scheduler = new FakeScheduler(clock);
  final List<IssuedCertificate> notified = new ArrayList<>();
  final CertificateAuthority ca = CertificateAuthority.generate("cluster.local", clock);

  CertificateStore store(Clock storeClock) {
    return new CertificateStore(ca, LIFETIME, storeClock, scheduler, notified::add);
  }

  @Test
  void issuesOnFirstUseNotifiesAndKeepsTheCertificate() {
    CertificateStore store = store(clock);
    IssuedCertificate first = store.certificateFor(WEB);

    assertThat(first.id()).isEqualTo(WEB);
    assertThat(first.notAfter()).isEqualTo(T0.plus(LIFETIME));
    assertThat(notified).containsExactly(first);
    assertThat(store.certificateFor(WEB)).isSameAs(first);
    assertThat(store.current(WEB)).containsSame(first);
    assertThat(store.current(API)).isEmpty();
    assertThat(notified).hasSize(1);
  }

  @Test
  void renewsAtTwoThirdsOfTheLifetimeBeforeExpiryAndNotifies() throws Exception {
    CertificateStore store = store(clock);
    IssuedCertificate first = store.certificateFor(WEB);

    scheduler.advance(Duration.ofMinutes(20).minusSeconds(1));
    assertThat(store.current(WEB)).containsSame(first);
    assertThat(notified).containsExactly(first);

    scheduler.advance(Duration.ofSeconds(1));
    IssuedCertificate second = store.current(WEB).orElseThrow();
    assertThat(second).isNotSameAs(first);
    assertThat(notified).containsExactly(first, second);
    assertThat(clock.instant()).isBefore(first.notAfter());
    assertThat(second.notAfter()).isEqualTo(T0.plus(Duration.ofMinutes(20)).plus(LIFETIME));
    assertThat(second.key().getEncoded()).isNotEqualTo(first.key().getEncoded());
    TestPki.validate(second.chain(), second.trustBundle(), clock.instant());
  }

  @Test
  void alwaysHoldsAValidCertificateOverManyLifetimes() throws Exception {
    CertificateStore store = store(clock);
    store.certificateFor(WEB);
    store.certificateFor(API);
    for (int minute = 0; minute < 5 * 30; minute++) {
      scheduler.advance(Duration.ofMinutes(1));
      for (SpiffeId id : List.of(WEB, API)) {
        IssuedCertificate current = store.current(id).orElseThrow();
        assertThat(current.notAfter()).isAfter(clock.instant());
        TestPki.validate(current.chain(), current.trustBundle(), clock.instant());
      }
    }
    // Two identities, each issued at 0 and then every 20 minutes for 150 minutes.
    assertThat(notified).hasSize(2 * (1 + 150 / 20));
    assertThat(store.certificates()).containsOnlyKeys(API, WEB);
    assertThat(scheduler.pending()).isEqualTo(2);
  }

  @Test
  void aTimerFiringBeforeTheStoresClockSaysSoWaitsForTheRest() {
    // The store's clock lags the scheduler's by 10 s: the first timer fires early by the store's
    // clock, so the renewal waits another 10 s.
    CertificateStore store = store(Clock.offset(clock, Duration.ofSeconds(-10)));
    IssuedCertificate first = store.certificateFor(WEB);

    scheduler.advance(Duration.ofMinutes(20));
    assertThat(store.current(WEB)).containsSame(first);
    assertThat(scheduler.pending()).isEqualTo(1);

    scheduler.advance(Duration.ofSeconds(10));
    assertThat(store.current(WEB).orElseThrow()).isNotSameAs(first);
    assertThat(notified).hasSize(2);
  }

  @Test
  void removeAndCloseStopRenewals() {
    CertificateStore store = store(clock);
    store.certificateFor(WEB);
    store.certificateFor(API);
    store.remove(WEB);
    assertThat(store.current(WEB)).isEmpty();
    assertThat(scheduler.pending()).isEqualTo(1);

    scheduler.advance(Duration.ofMinutes(20));
    assertThat(notified).extracting(IssuedCertificate::id).containsExactly(WEB, API, API);

    store.close();
    assertThat(scheduler.pending()).isZero();
    assertThat(store.certificates()).isEmpty();
    scheduler.advance(Duration.ofHours(2));
    assertThat(notified).hasSize(3);
    assertThatThrownBy(() -> store.certificateFor(WEB))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("certificate store is closed");
  }

  @Test
  void aFailingListenerDoesNotStopRenewals() {
    List<IssuedCertificate> seen = new ArrayList<>();
    CertificateStore store =
        new CertificateStore(
            ca,
            LIFETIME,
            clock,
            scheduler,
            c -> {
              seen.add(c);
              throw new IllegalStateException("listener broke");
            });
    IssuedCertificate first = store.certificateFor(WEB);
    scheduler.advance(Duration.ofMinutes(45));
    assertThat(seen).hasSize(3).first().isSameAs(first);
    assertThat(store.current(WEB)).contains(seen.get(2));
  }

  @Test
  void whenTheCaExpiresRenewalsShrinkThenFailAndAreRetriedWithoutABusyLoop() {
    KeyPair pair = Certificates.newEcP256Key(TestPki.RANDOM);
    Instant caExpiry = T0.plus(Duration.ofMinutes(40));
    var root =
        TestPki.selfSigned(
            pair, new BasicConstraints(true), TestPki.caUsage(), T0.minusSeconds(60), caExpiry);
    CertificateAuthority expiring;
    try {
      expiring = CertificateAuthority.issuingFromRoot(root.root(), "cluster.local", clock);
    } catch (CaException e) {
      throw new AssertionError(e);
    }
    CertificateStore store =
        new CertificateStore(expiring, LIFETIME, clock, scheduler, notified::add);
    store.certificateFor(WEB);

    scheduler.advance(Duration.ofMinutes(39));
    IssuedCertificate late = store.current(WEB).orElseThrow();
    assertThat(late.notAfter()).isEqualTo(caExpiry); // cut short by the CA
    int issued = notified.size();
    // Renewals come at most once a second; about log(20 min / 1 s) / log(3) of them before the CA
    // runs out, then failed attempts once a minute (lifetime / 10, capped at a minute).
    assertThat(issued).isBetween(3, 12);

    scheduler.advance(Duration.ofMinutes(10));
    assertThat(store.current(WEB)).isPresent();
    assertThat(notified.size()).isLessThanOrEqualTo(issued + 60);
    assertThat(store.current(WEB).orElseThrow().notAfter()).isEqualTo(caExpiry);
    assertThat(scheduler.pending()).isEqualTo(1); // still retrying
  }

  @Test
  void renewAtIsTwoThirdsOfTheRemainingLifetimeWithAFloorOfOneSecond() {
    assertThat(CertificateStore.renewAt(T0, T0.plus(Duration.ofHours(24))))
        .isEqualTo(T0.plus(Duration.ofHours(16)));
    assertThat(CertificateStore.renewAt(T0, T0.plusMillis(900))).isEqualTo(T0.plusSeconds(1));
    assertThat(CertificateStore.renewAt(T0, T0.minusSeconds(5))).isEqualTo(T0.plusSeconds(1));
  }

  @Test
  void rejectsANonPositiveLifetime() {
    assertThatThrownBy(
            () -> new CertificateStore(ca, Duration.ZERO, clock, scheduler, notified::add))
        .hasMessage("certificate lifetime PT0S is not positive");
  }
}
