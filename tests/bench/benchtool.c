/* benchtool: small librdkafka client for tests/bench (the consume-only limit, the end-offset
 * poller that times the contenders, and a dump of record timestamps for the latency figures).
 *
 *   benchtool consume BOOTSTRAP TOPIC [RACK]      read every partition from the beginning to the
 *                                                 end offsets taken at start; prints one JSON line
 *   benchtool wait BOOTSTRAP TOPIC N TIMEOUT_S    poll end offsets until they sum to >= N (TOPIC:
 *                                                 one or several, comma-separated); prints
 *                                                 one JSON line with the wall-clock ms when reached
 *                                                 and when the first record was seen
 *   benchtool dump BOOTSTRAP TOPIC                read everything; one line per record with a
 *                                                 value: "<partition> <timestamp_ms> <index>", the
 *                                                 index parsed from the value "v-<run>-<index>-..."
 *   benchtool tail BOOTSTRAP TOPIC N TIMEOUT_S    read_committed from the beginning until N
 *                                                 records came: one line per record as dump
 *                                                 prints, with the wall-clock ms it was read
 *                                                 instead of its timestamp (when it was visible)
 *   benchtool copy SRC TOPIC RACK TGT TARGET_TOPIC PRODUCERS
 *                                                 the copy limit: consume every partition from the
 *                                                 beginning to the end offsets taken at start and
 *                                                 produce each record to the same partition of
 *                                                 TARGET_TOPIC (key, value, headers, timestamp),
 *                                                 with mirror's default client settings for its
 *                                                 source consumer and PRODUCERS target producers
 *                                                 (mirror/kafka/client_properties.cc) and nothing
 *                                                 else: no group, offsets, commits or metrics. It
 *                                                 prints one JSON line when every record is
 *                                                 acknowledged, then waits for SIGTERM (so its CPU
 *                                                 and RSS are read from /proc as a replicator's)
 *   benchtool fill BOOTSTRAP TOPIC COUNT VALUE_SIZE COMPRESSION RUN
 *                                                 produce COUNT records round-robin over TOPIC's
 *                                                 partitions as `kt produce` makes them (keys,
 *                                                 values "v-RUN-<index>-..." of VALUE_SIZE bytes,
 *                                                 0-3 headers, some null keys and values), with
 *                                                 compression.type COMPRESSION; one JSON line
 *                                                 (bytes: key + value + header names and values)
 */
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static double mono(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
  char err[512];
  if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "benchtool: %s=%s: %s\n", k, v, err);
    exit(2);
  }
}
static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap, const char *rack) {
  char err[512];
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  set(c, "bootstrap.servers", bootstrap);
  if (type == RD_KAFKA_CONSUMER) {
    char gid[64];
    snprintf(gid, sizeof gid, "benchtool-%d", (int)getpid());
    set(c, "group.id", gid);
    set(c, "enable.auto.commit", "false");
    set(c, "enable.partition.eof", "true");
    set(c, "auto.offset.reset", "earliest");
    set(c, "fetch.max.bytes", "52428800");
    set(c, "max.partition.fetch.bytes", "4194304");
    set(c, "queued.max.messages.kbytes", "262144");
    if (rack && *rack) set(c, "client.rack", rack);
  }
  rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "benchtool: %s\n", err);
    exit(2);
  }
  return rk;
}
/* Number of partitions of topic, or -1 when unknown (yet). */
static int partitions(rd_kafka_t *rk, const char *topic) {
  rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
  const struct rd_kafka_metadata *md = NULL;
  int n = -1;
  if (rd_kafka_metadata(rk, 0, t, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (md->topic_cnt == 1 && md->topics[0].err == 0) n = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_topic_destroy(t);
  return n;
}
/* The sum of the end offsets of every partition of the topics (one ListOffsets request per
 * broker, not one round trip per partition: a poll of 1,200 partitions stays well under the 100 ms
 * it repeats at), or -1 when any is unknown. */
static long long end_sum(rd_kafka_t *rk, char **topics, const int *n, int count) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(64);
  for (int t = 0; t < count; t++)
    for (int p = 0; p < n[t]; p++)
      rd_kafka_topic_partition_list_add(l, topics[t], p)->offset = RD_KAFKA_OFFSET_SPEC_LATEST;
  char err[256];
  rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTOFFSETS);
  rd_kafka_AdminOptions_set_request_timeout(o, 5000, err, sizeof err);
  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  rd_kafka_ListOffsets(rk, l, o, q);
  rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 10000);
  long long sum = -1;
  if (ev && !rd_kafka_event_error(ev)) {
    size_t cnt = 0;
    const rd_kafka_ListOffsetsResultInfo_t **infos =
        rd_kafka_ListOffsets_result_infos(rd_kafka_event_ListOffsets_result(ev), &cnt);
    sum = cnt == (size_t)l->cnt ? 0 : -1;
    for (size_t i = 0; i < cnt && sum >= 0; i++) {
      const rd_kafka_topic_partition_t *tp = rd_kafka_ListOffsetsResultInfo_topic_partition(infos[i]);
      sum = tp->err ? -1 : sum + tp->offset;
    }
  }
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(o);
  rd_kafka_topic_partition_list_destroy(l);
  return sum;
}

/* Assigns every non-empty partition of topic from the beginning; how many were. */
static int assign_all(rd_kafka_t *rk, const char *topic, int n) {
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
  int live = 0;
  for (int p = 0; p < n; p++) {
    int64_t lo, hi;
    rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
    if (hi > lo) {
      rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
      live++;
    }
  }
  rd_kafka_assign(rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  return live;
}

/* Value "v-<run>-<index>-..."": the index follows the second '-'; -1 without one. */
static long long index_of(const rd_kafka_message_t *m) {
  if (!m->payload || m->len <= 2) return -1;
  const char *v = m->payload, *end = v + m->len, *q = v;
  int dashes = 0;
  while (q < end && dashes < 2) dashes += (*q++ == '-');
  long long idx = 0;
  int digits = 0;
  while (q < end && *q >= '0' && *q <= '9') idx = idx * 10 + (*q++ - '0'), digits++;
  return digits ? idx : -1;
}

static int consume(const char *bootstrap, const char *topic, const char *rack, int dump) {
  rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, bootstrap, rack);
  double t0 = mono();
  int n = partitions(rk, topic);
  if (n <= 0) {
    fprintf(stderr, "benchtool: topic %s not found\n", topic);
    return 2;
  }
  int live = assign_all(rk, topic, n);
  long long records = 0, bytes = 0;
  while (live > 0) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      live--;
    } else if (m->err) {
      fprintf(stderr, "benchtool: %s\n", rd_kafka_message_errstr(m));
    } else {
      records++;
      bytes += m->len + m->key_len;
      rd_kafka_headers_t *h = NULL;
      if (rd_kafka_message_headers(m, &h) == 0) {
        const char *name;
        const void *val;
        size_t sz;
        for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &val, &sz) == 0; i++)
          bytes += strlen(name) + sz;
      }
      long long idx = dump ? index_of(m) : -1;
      if (idx >= 0) {
        rd_kafka_timestamp_type_t tt;
        long long ts = rd_kafka_message_timestamp(m, &tt);
        printf("%d %lld %lld\n", m->partition, ts, idx);
      }
    }
    rd_kafka_message_destroy(m);
  }
  double secs = mono() - t0;
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  if (!dump)
    printf("{\"records\":%lld,\"bytes\":%lld,\"seconds\":%.3f,\"partitions\":%d}\n", records, bytes,
           secs, n);
  return 0;
}

static int tail(const char *bootstrap, const char *topic, long long want, double timeout) {
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  char gid[64], err[512];
  snprintf(gid, sizeof gid, "benchtool-tail-%d", (int)getpid());
  set(c, "bootstrap.servers", bootstrap);
  set(c, "group.id", gid);
  set(c, "enable.auto.commit", "false");
  set(c, "auto.offset.reset", "earliest");
  set(c, "isolation.level", "read_committed");
  set(c, "fetch.wait.max.ms", "10");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "benchtool: %s\n", err);
    return 2;
  }
  rd_kafka_poll_set_consumer(rk);
  double t0 = mono();
  int n = -1;
  while ((n = partitions(rk, topic)) <= 0 && mono() - t0 < timeout) usleep(100000);
  if (n <= 0) {
    fprintf(stderr, "benchtool: topic %s not found\n", topic);
    return 2;
  }
  rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
  for (int p = 0; p < n; p++) rd_kafka_topic_partition_list_add(l, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  long long got = 0;
  while (got < want && mono() - t0 < timeout) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (!m->err) {
      got++;
      long long idx = index_of(m);
      if (idx >= 0) printf("%d %lld %lld\n", m->partition, now_ms(), idx);
    }
    rd_kafka_message_destroy(m);
  }
  fflush(stdout);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got >= want ? 0 : 1;
}

/* The copy limit. Errors are counted, never retried: a run with any is not a measurement. */
static long long copy_acked, copy_failed;
static void copy_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if (m->err) {
    if (copy_failed++ < 5) fprintf(stderr, "benchtool: delivery: %s\n", rd_kafka_err2str(m->err));
  } else {
    copy_acked++;
  }
}
static volatile sig_atomic_t copy_stop;
static void copy_on_term(int sig) { (void)sig, copy_stop = 1; }

static int copy(const char *src, const char *topic, const char *rack, const char *tgt,
                const char *target_topic, int producers) {
  char err[512], gid[64];
  double t0 = mono();
  signal(SIGTERM, copy_on_term);
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  snprintf(gid, sizeof gid, "benchtool-copy-%d", (int)getpid());
  /* mirror's source consumer defaults */
  set(c, "bootstrap.servers", src);
  set(c, "group.id", gid);
  set(c, "enable.auto.commit", "false");
  set(c, "enable.auto.offset.store", "false");
  set(c, "enable.partition.eof", "true"); /* mirror: false; here it tells where the end is */
  set(c, "queued.max.messages.kbytes", "32768");
  set(c, "fetch.queue.backoff.ms", "10");
  set(c, "receive.message.max.bytes", "1067108864");
  set(c, "log.connection.close", "false");
  if (rack && *rack) set(c, "client.rack", rack);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "benchtool: %s\n", err);
    return 2;
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_t *out[32];
  if (producers < 1 || producers > 32) producers = 2;
  for (int i = 0; i < producers; i++) {
    rd_kafka_conf_t *pc = rd_kafka_conf_new();
    /* mirror's target producer defaults */
    set(pc, "bootstrap.servers", tgt);
    set(pc, "linger.ms", "5");
    set(pc, "batch.size", "1000000");
    set(pc, "message.max.bytes", "1000000000");
    set(pc, "queue.buffering.max.kbytes", "1042099");
    set(pc, "message.timeout.ms", "300000");
    set(pc, "compression.type", "lz4");
    set(pc, "enable.idempotence", "true");
    set(pc, "acks", "all");
    set(pc, "log.connection.close", "false");
    rd_kafka_conf_set_dr_msg_cb(pc, copy_delivered);
    if (!(out[i] = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err))) {
      fprintf(stderr, "benchtool: %s\n", err);
      return 2;
    }
  }
  int n = partitions(rk, topic);
  if (n <= 0) {
    fprintf(stderr, "benchtool: topic %s not found\n", topic);
    return 2;
  }
  rd_kafka_topic_t *tt[32];
  for (int i = 0; i < producers; i++) tt[i] = rd_kafka_topic_new(out[i], target_topic, NULL);
  int live = assign_all(rk, topic, n);
  rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
  rd_kafka_message_t *batch[1000];
  long long sent = 0;
  while (live > 0 && !copy_stop) {
    ssize_t got = rd_kafka_consume_batch_queue(q, 100, batch, 1000);
    for (ssize_t i = 0; i < got; i++) {
      rd_kafka_message_t *m = batch[i];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        live--;
      } else if (m->err) {
        fprintf(stderr, "benchtool: %s\n", rd_kafka_message_errstr(m));
      } else {
        int k = m->partition % producers;
        rd_kafka_headers_t *h = NULL, *hc = NULL;
        if (rd_kafka_message_headers(m, &h) == 0 && h) hc = rd_kafka_headers_copy(h);
        rd_kafka_timestamp_type_t tst;
        long long ts = rd_kafka_message_timestamp(m, &tst);
        for (;;) {
          rd_kafka_resp_err_t e = rd_kafka_producev(
              out[k], RD_KAFKA_V_RKT(tt[k]), RD_KAFKA_V_PARTITION(m->partition),
              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(m->payload, m->len),
              RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_TIMESTAMP(ts > 0 ? ts : 0),
              RD_KAFKA_V_HEADERS(hc), RD_KAFKA_V_END);
          if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
          if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "benchtool: produce: %s\n", rd_kafka_err2str(e));
            if (hc) rd_kafka_headers_destroy(hc);
            copy_failed++;
            break;
          }
          rd_kafka_poll(out[k], 10);
        }
        sent++;
      }
      rd_kafka_message_destroy(m);
    }
    for (int i = 0; i < producers; i++) rd_kafka_poll(out[i], 0);
  }
  for (int i = 0; i < producers; i++) rd_kafka_flush(out[i], 120000);
  printf("{\"records\":%lld,\"acked\":%lld,\"failed\":%lld,\"seconds\":%.3f,\"partitions\":%d}\n",
         sent, copy_acked, copy_failed, mono() - t0, n);
  fflush(stdout);
  while (!copy_stop) pause();
  rd_kafka_queue_destroy(q);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  for (int i = 0; i < producers; i++) {
    rd_kafka_topic_destroy(tt[i]);
    rd_kafka_destroy(out[i]);
  }
  return copy_failed || copy_acked != sent ? 1 : 0;
}

static long long fill_failed;
static void fill_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk, (void)opaque;
  if (m->err && fill_failed++ < 5) fprintf(stderr, "benchtool: delivery: %s\n", rd_kafka_err2str(m->err));
}

/* The records of tests/e2e/tools/Records.java (generate), without the large ones. */
static int fill(const char *bootstrap, const char *topic, long long count, int value_size,
                const char *compression, const char *run) {
  char err[512];
  rd_kafka_conf_t *c = rd_kafka_conf_new();
  set(c, "bootstrap.servers", bootstrap);
  set(c, "acks", "all");
  set(c, "enable.idempotence", "true");
  set(c, "linger.ms", "20");
  set(c, "batch.size", "524288");
  set(c, "compression.type", compression);
  rd_kafka_conf_set_dr_msg_cb(c, fill_delivered);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
  if (!rk) {
    fprintf(stderr, "benchtool: %s\n", err);
    return 2;
  }
  double t0 = mono();
  int n = -1;
  while ((n = partitions(rk, topic)) <= 0 && mono() - t0 < 60) usleep(200000);
  if (n <= 0) {
    fprintf(stderr, "benchtool: topic %s not found\n", topic);
    return 2;
  }
  char *value = malloc(value_size + 64), key[128], head[96], hv[32];
  long long ts_base = now_ms() - 60000, bytes = 0;
  for (long long i = 0; i < count; i++) {
    int klen = snprintf(key, sizeof key, "k-%s-%lld", run, i % 997);
    int hlen = snprintf(head, sizeof head, "v-%s-%lld-", run, i);
    int vlen = value_size > hlen ? value_size : hlen;
    memcpy(value, head, hlen);
    for (int j = hlen; j < vlen; j++) value[j] = (char)('a' + (int)((i + j) % 26));
    rd_kafka_headers_t *h = NULL;
    int nh = (int)(i % 4);
    if (nh >= 1) {
      h = rd_kafka_headers_new(3);
      rd_kafka_header_add(h, "h-a", -1, hv, snprintf(hv, sizeof hv, "a-%lld", i));
    }
    if (nh >= 2) rd_kafka_header_add(h, "h-null", -1, NULL, 0);
    if (nh >= 3) {
      char b[3] = {0, (char)0xff, (char)(i & 0xff)};
      rd_kafka_header_add(h, "h-a", -1, b, 3);
    }
    char *v = i % 11 == 5 ? NULL : value, *k = i % 7 == 3 ? NULL : key;
    size_t vn = v ? (size_t)vlen : 0, kn = k ? (size_t)klen : 0;
    bytes += kn + vn;
    if (h) {
      const char *hn;
      const void *hval;
      size_t hsz;
      for (size_t x = 0; rd_kafka_header_get_all(h, x, &hn, &hval, &hsz) == 0; x++)
        bytes += strlen(hn) + hsz;
    }
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION((int32_t)(i % n)),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(v, vn), RD_KAFKA_V_KEY(k, kn),
          RD_KAFKA_V_TIMESTAMP(ts_base + i), RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "benchtool: produce: %s\n", rd_kafka_err2str(e));
        return 2;
      }
      rd_kafka_poll(rk, 10);
    }
    rd_kafka_poll(rk, 0);
  }
  int left = rd_kafka_flush(rk, 300000) ? rd_kafka_outq_len(rk) : 0;
  printf("{\"records\":%lld,\"bytes\":%lld,\"failed\":%lld,\"unflushed\":%d,\"seconds\":%.3f,"
         "\"partitions\":%d}\n", count, bytes, fill_failed, left, mono() - t0, n);
  free(value);
  rd_kafka_destroy(rk);
  return fill_failed || left ? 1 : 0;
}

/* topic: one name or several, comma-separated (their end offsets are summed). */
static int wait_for(const char *bootstrap, const char *topic, long long want, double timeout) {
  rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, NULL);
  char *names = strdup(topic), *topics[4096], *save = NULL;
  int count = 0, n[4096], known = 0, total = 0;
  for (char *t = strtok_r(names, ",", &save); t && count < 4096; t = strtok_r(NULL, ",", &save))
    n[count] = -1, topics[count++] = t;
  double t0 = mono(), last_print = 0;
  long long sum = 0, first_ms = 0;
  while (mono() - t0 < timeout) {
    for (int t = 0; t < count && known < count; t++)
      if (n[t] <= 0 && (n[t] = partitions(rk, topics[t])) > 0) known++, total += n[t];
    if (known == count) {
      long long s = end_sum(rk, topics, n, count);
      if (s >= 0) sum = s;
      if (sum > 0 && !first_ms) first_ms = now_ms();
      if (sum >= want) {
        printf("{\"reached_ms\":%lld,\"first_ms\":%lld,\"records\":%lld,\"partitions\":%d}\n",
               now_ms(), first_ms, sum, total);
        rd_kafka_destroy(rk);
        free(names);
        return 0;
      }
    }
    if (mono() - last_print > 10) {
      fprintf(stderr, "benchtool: %s: %lld of %lld after %.0f s\n", count > 1 ? "topics" : topic, sum,
              want, mono() - t0);
      last_print = mono();
    }
    usleep(100000);
  }
  printf("{\"reached_ms\":null,\"records\":%lld,\"partitions\":%d}\n", sum, total);
  rd_kafka_destroy(rk);
  free(names);
  return 1;
}

int main(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[1], "consume")) return consume(argv[2], argv[3], argc > 4 ? argv[4] : NULL, 0);
  if (argc >= 4 && !strcmp(argv[1], "dump")) return consume(argv[2], argv[3], argc > 4 ? argv[4] : NULL, 1);
  if (argc >= 6 && !strcmp(argv[1], "wait")) return wait_for(argv[2], argv[3], atoll(argv[4]), atof(argv[5]));
  if (argc >= 6 && !strcmp(argv[1], "tail")) return tail(argv[2], argv[3], atoll(argv[4]), atof(argv[5]));
  if (argc >= 8 && !strcmp(argv[1], "copy"))
    return copy(argv[2], argv[3], argv[4], argv[5], argv[6], atoi(argv[7]));
  if (argc >= 8 && !strcmp(argv[1], "fill"))
    return fill(argv[2], argv[3], atoll(argv[4]), atoi(argv[5]), argv[6], argv[7]);
  fprintf(stderr, "usage: benchtool consume|dump BOOTSTRAP TOPIC [RACK] | wait|tail BOOTSTRAP TOPIC N "
                  "TIMEOUT_S | copy SRC TOPIC RACK TGT TARGET_TOPIC PRODUCERS | fill BOOTSTRAP TOPIC COUNT "
                  "VALUE_SIZE COMPRESSION RUN\n");
  return 1;
}
