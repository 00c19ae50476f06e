#!/usr/bin/env bash
# The loopback lab: nsd, the fault-injecting DNS proxy, the SMTP relays (aiosmtpd scenarios and a
# real Postfix), and the HTTPS server.
# Usage: Tests/Lab/lab.sh start|stop|status
# Everything binds 127.0.0.x; state, logs, certificates and lab.env live in Tests/Lab/run/.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run="$here/run"
python="$here/.venv/bin/python"

DNS_ADDRESS=127.0.10.1
FAULT_DNS_ADDRESS=127.0.10.2
LATENCY_DNS_ADDRESS=127.0.10.3
# Resolvers that lie, one kind each (lying_dns.py): NXDOMAIN for every name, an A record for every
# name (127.0.13.250, where nothing listens), SERVFAIL for every name.
LYING_DNS_NXDOMAIN=127.0.13.1
LYING_DNS_A_FOR_ALL=127.0.13.2
LYING_DNS_SERVFAIL=127.0.13.3
DNS_PORT=5300
SMTP_ADDRESS=127.0.20.1
SMTP_STARTTLS_PORT=2587
SMTP_TLS_PORT=2465
SMTP_PLAIN_PORT=2525
# Every SMTP scenario and its port on $SMTP_ADDRESS; 2599 stays closed.
SMTP_PORTS='{"starttls": 2587, "tls": 2465, "plain": 2525, "expired": 2588, "other-name": 2589, "self-signed": 2590, "expiring": 2597, "no-auth": 2591, "silent": 2592, "554": 2593, "421": 2594, "garbage": 2595, "overlong": 2596, "starttls454": 2598, "hostile": 2600, "reset-after-ehlo": 2601, "odd-auth": 2602}'
SMTP_CLOSED_PORT=2599
# A real Postfix on the same address and certificate: submission with STARTTLS, and implicit TLS.
POSTFIX_STARTTLS_PORT=2687
POSTFIX_TLS_PORT=2665
HTTPS_ADDRESS=127.0.30.1
HTTPS_PORT=8443
ROGUE_HTTPS_PORT=8444
# An outbound HTTP CONNECT proxy that resolves names itself (the scanner's DNS cannot).
PROXY_ADDRESS=127.0.40.1
PROXY_PORT=3128
PROXY_ONLY_HOSTNAME=www.proxy-only.test
SMTP_USER=alma-notices
# Dovecot: the consortium's DMARC report mailbox, IMAP over TLS only.
IMAP_ADDRESS=127.0.50.1
IMAP_PORT=2993
IMAP_USER=alma-reports

services=(nsd fault-dns latency-dns smtp postfix https https-rogue proxy suite-fault-dns imap lying-dns-nxdomain lying-dns-a-for-all lying-dns-servfail)

pid_of() { cat "$run/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

make_certificates() {
    local dir="$run/pki"
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=notice-audit lab CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=smtp.lab.test" \
        -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    cat > "$dir/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:smtp.lab.test,DNS:www.lab.test,DNS:*.lab.test,DNS:www.proxy-only.test,IP:$SMTP_ADDRESS,IP:$HTTPS_ADDRESS
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
        -days 30 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
    # A CA nobody trusts, for "certificate from an unknown CA".
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/CN=rogue CA" -keyout "$dir/rogue-ca.key" -out "$dir/rogue-ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/rogue-ca.pem" -CAkey "$dir/rogue-ca.key" -CAcreateserial \
        -days 30 -extfile "$dir/server.ext" -out "$dir/rogue-server.pem" 2>/dev/null
    "$python" "$here/make_bad_certs.py" --ca-cert "$dir/ca.pem" --ca-key "$dir/ca.key" --out "$dir"
}

write_nsd_config() {
    mkdir -p "$run/nsd"
    {
        cat <<CONF
server:
    ip-address: $DNS_ADDRESS@$DNS_PORT
    port: $DNS_PORT
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$here/zones"
    database: ""
    zonelistfile: "$run/nsd/zone.list"
    xfrdfile: "$run/nsd/xfrd.state"
    xfrdir: "$run/nsd"
    pidfile: "$run/nsd.pid"
    logfile: "$run/nsd/nsd.log"
    server-count: 1
    rrl-ratelimit: 0
    hide-version: yes
    verbosity: 1
remote-control:
    control-enable: no
CONF
        for zone in "$here"/zones/*.zone "$run/dkim.lab.test.zone"; do
            name=$(basename "$zone" .zone)
            printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "$name" "$zone"
        done
    } > "$run/nsd/nsd.conf"
}

# Postfix from its own config directory (notes.md: log to a file, data_directory owned by postfix,
# no chroot, SASL settings in $config_directory/sasl/smtpd.conf), AUTH PLAIN/LOGIN from a sasldb
# only after TLS. inet_interfaces must be an interface address, so the listeners are named in
# master.cf; proxy_interfaces makes 127.0.20.1 count as local.
start_postfix() {
    local password=$1 dir="$run/postfix"
    [ -L "$dir" ] && rm -rf "$(readlink "$dir")"
    rm -rf "$dir"
    # Postfix's daemons run as the postfix user, which must reach the instance's folders: under a
    # checkout whose parents others cannot search (a 0700 home or mktemp folder), the instance
    # lives in a folder of its own (random name, 0755) that run/postfix links to.
    if runuser -u postfix -- test -x "$run" 2>/dev/null; then
        mkdir -p "$dir"
    else
        local private
        private=$(mktemp -d /tmp/notice-audit-lab-postfix-XXXXXX)
        chmod 755 "$private"
        ln -s "$private" "$dir"
        dir=$private
    fi
    mkdir -p "$dir/queue" "$dir/data" "$dir/sasl"
    cp "$run/pki/server.pem" "$run/pki/server.key" "$dir/"
    cat > "$dir/main.cf" <<CONF
compatibility_level = 3.6
config_directory = $dir
queue_directory = $dir/queue
data_directory = $dir/data
shlib_directory = /usr/lib/postfix
daemon_directory = /usr/lib/postfix/sbin
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
inet_interfaces = loopback-only
proxy_interfaces = $SMTP_ADDRESS
inet_protocols = ipv4
myhostname = smtp.lab.test
mydestination =
relayhost =
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP notice-audit lab (Postfix)
smtpd_tls_cert_file = $dir/server.pem
smtpd_tls_key_file = $dir/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_relay_restrictions = permit_sasl_authenticated, reject
CONF
    cat > "$dir/master.cf" <<CONF
$SMTP_ADDRESS:$POSTFIX_STARTTLS_PORT inet n - n - - smtpd
  -o smtpd_tls_security_level=encrypt
$SMTP_ADDRESS:$POSTFIX_TLS_PORT inet n - n - - smtpd
  -o smtpd_tls_wrappermode=yes
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
    cat > "$dir/sasl/smtpd.conf" <<CONF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $dir/sasldb2
CONF
    printf '%s' "$password" | saslpasswd2 -p -c -f "$dir/sasldb2" -u smtp.lab.test "$SMTP_USER"
    chown postfix "$dir/data" "$dir/sasldb2"
    # postfix(1) reports to syslog only, which this machine does not run: a terminal (script)
    # makes it say why it would not start. It runs while the other servers start (its checks take
    # a second or two on a busy machine); finish_postfix waits for it.
    script -qec "postfix -c '$dir' start" "$run/postfix.out" > /dev/null 2>&1 &
    postfix_starter=$!
}

finish_postfix() {
    local dir="$run/postfix"
    if ! wait "$postfix_starter"; then
        echo "lab: postfix did not start:" >&2
        grep -v "warning: not owned by root\|warning: group or other writable" "$run/postfix.out" >&2
        tail -n 5 "$dir/maillog" >&2 2>/dev/null || true
        return 1
    fi
    for _ in $(seq 50); do
        [ -s "$dir/queue/pid/master.pid" ] && break
        sleep 0.05
    done
    tr -d ' ' < "$dir/queue/pid/master.pid" > "$run/postfix.pid"
}

# Dovecot on $IMAP_ADDRESS with the lab certificate: one user (passwd-file), Maildir under run/,
# mail owned by nobody. Messages are delivered by writing files into Maildir/new.
start_dovecot() {
    local password=$1 dir="$run/dovecot"
    [ -L "$dir" ] && rm -rf "$(readlink "$dir")"
    rm -rf "$dir"
    # The mail processes run as nobody, which must reach the Maildir: under a checkout whose
    # parents others cannot search (a 0700 home or mktemp folder), the instance lives in a folder
    # of its own (random name, 0755) that run/dovecot links to, as Postfix's does.
    if ! runuser -u nobody -- test -x "$run" 2>/dev/null; then
        local private
        private=$(mktemp -d /tmp/notice-audit-lab-dovecot-XXXXXX)
        chmod 755 "$private"
        ln -s "$private" "$dir"
        dir=$private
    fi
    mkdir -p "$dir/base" "$dir/state" "$dir/home/$IMAP_USER/Maildir/new" "$dir/home/$IMAP_USER/Maildir/cur" "$dir/home/$IMAP_USER/Maildir/tmp"
    printf '%s:{PLAIN}%s\n' "$IMAP_USER" "$password" > "$dir/passwd"
    chown dovecot:dovecot "$dir/passwd" && chmod 600 "$dir/passwd"
    chmod -R 777 "$dir/home"
    cat > "$dir/dovecot.conf" <<CONF
protocols = imap
listen = $IMAP_ADDRESS
base_dir = $dir/base
state_dir = $dir/state
log_path = $dir/dovecot.log
ssl = required
ssl_cert = <$run/pki/server.pem
ssl_key = <$run/pki/server.key
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:$dir/home/%u/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    port = $IMAP_PORT
    ssl = yes
  }
}
CONF
    dovecot -c "$dir/dovecot.conf" < /dev/null > "$dir/dovecot.out" 2>&1
    for _ in $(seq 100); do
        [ -s "$dir/base/master.pid" ] && break
        sleep 0.05
    done
    cp "$dir/base/master.pid" "$run/imap.pid"
}

start() {
    if [ ! -x "$python" ]; then
        echo "lab: the Python environment is missing; run Tests/Lab/install-deps.sh first" >&2
        exit 1
    fi
    # A lab already running here (make demo leaves it up) is restarted as this caller's own; one
    # that another checkout or program holds the addresses of is named with what stops it.
    local running=false
    for service in "${services[@]}"; do alive "$service" && running=true; done
    stop quietly
    $running && echo "lab: this checkout's lab was running (make demo or make lab-start): restarting it"
    "$python" "$here/lab_holders.py" --root "$here/../.." || exit 1
    mkdir -p "$run"
    rm -f "$run"/*.ready
    # DKIM keys made anew at every start (dkim_corpus.py), while the certificates are made.
    "$python" "$here/dkim_corpus.py" --zone "$run/dkim.lab.test.zone" --manifest "$run/dkim-manifest.json" > "$run/dkim.out" 2>&1 &
    local dkim_maker=$!
    make_certificates
    local password
    password="lab-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
    if ! wait "$dkim_maker"; then
        echo "lab: the DKIM key records could not be made:" >&2
        cat "$run/dkim.out" >&2
        exit 1
    fi

    write_nsd_config
    nsd-checkconf "$run/nsd/nsd.conf"
    nsd -c "$run/nsd/nsd.conf"

    "$python" "$here/fault_dns.py" --listen "$FAULT_DNS_ADDRESS:$DNS_PORT" --upstream "$DNS_ADDRESS:$DNS_PORT" \
        --rules "$here/fault-rules.json" --log "$run/fault-dns.log" --ready-file "$run/fault-dns.ready" \
        > "$run/fault-dns.out" 2>&1 &
    echo $! > "$run/fault-dns.pid"

    "$python" "$here/fault_dns.py" --listen "$LATENCY_DNS_ADDRESS:$DNS_PORT" --upstream "$DNS_ADDRESS:$DNS_PORT" \
        --delay-ms 20 --ready-file "$run/latency-dns.ready" > "$run/latency-dns.out" 2>&1 &
    echo $! > "$run/latency-dns.pid"

    for mode in nxdomain a-for-all servfail; do
        local address_var="LYING_DNS_${mode//-/_}"
        address_var=${address_var^^}
        "$python" "$here/lying_dns.py" --listen "${!address_var}:$DNS_PORT" --mode "$mode" --address 127.0.13.250 \
            > "$run/lying-dns-$mode.out" 2>&1 &
        echo $! > "$run/lying-dns-$mode.pid"
    done

    LAB_SMTP_PASSWORD="$password" "$python" "$here/smtp_lab.py" --host "$SMTP_ADDRESS" \
        --ports "$SMTP_PORTS" --pki "$run/pki" --user "$SMTP_USER" \
        --password-env LAB_SMTP_PASSWORD --log "$run/smtp.log" --ready-file "$run/smtp.ready" \
        > "$run/smtp.out" 2>&1 &
    echo $! > "$run/smtp.pid"

    start_postfix "$password"
    start_dovecot "$password"

    "$python" "$here/https_lab.py" --listen "$HTTPS_ADDRESS:$HTTPS_PORT" --root "$here/pages" \
        --cert "$run/pki/server.pem" --key "$run/pki/server.key" --log "$run/https.log" \
        --post-log "$run/https-posts.log" --ready-file "$run/https.ready" > "$run/https.out" 2>&1 &
    echo $! > "$run/https.pid"

    "$python" "$here/https_lab.py" --listen "$HTTPS_ADDRESS:$ROGUE_HTTPS_PORT" --root "$here/pages" \
        --cert "$run/pki/rogue-server.pem" --key "$run/pki/server.key" --log "$run/https-rogue.log" \
        --ready-file "$run/https-rogue.ready" > "$run/https-rogue.out" 2>&1 &
    echo $! > "$run/https-rogue.pid"

    "$python" "$here/proxy_lab.py" --listen "$PROXY_ADDRESS:$PROXY_PORT" \
        --map "$PROXY_ONLY_HOSTNAME=$HTTPS_ADDRESS" --map "www.lab.test=$HTTPS_ADDRESS" \
        --log "$run/proxy.log" --ready-file "$run/proxy.ready" > "$run/proxy.out" 2>&1 &
    echo $! > "$run/proxy.pid"

    cat > "$run/lab.env" <<ENV
LAB_DNS=$DNS_ADDRESS:$DNS_PORT
LAB_FAULT_DNS=$FAULT_DNS_ADDRESS:$DNS_PORT
LAB_FAULT_DNS_LOG=$run/fault-dns.log
LAB_LATENCY_DNS=$LATENCY_DNS_ADDRESS:$DNS_PORT
LAB_LYING_DNS_NXDOMAIN=$LYING_DNS_NXDOMAIN:$DNS_PORT
LAB_LYING_DNS_A_FOR_ALL=$LYING_DNS_A_FOR_ALL:$DNS_PORT
LAB_LYING_DNS_SERVFAIL=$LYING_DNS_SERVFAIL:$DNS_PORT
LAB_ZONE=lab.test
LAB_CA_FILE=$run/pki/ca.pem
LAB_SMTP_ADDRESS=$SMTP_ADDRESS
LAB_SMTP_HOSTNAME=smtp.lab.test
LAB_SMTP_STARTTLS_PORT=$SMTP_STARTTLS_PORT
LAB_SMTP_TLS_PORT=$SMTP_TLS_PORT
LAB_SMTP_PLAIN_PORT=$SMTP_PLAIN_PORT
LAB_SMTP_PORTS=$SMTP_PORTS
LAB_SMTP_CLOSED_PORT=$SMTP_CLOSED_PORT
LAB_SMTP_USER=$SMTP_USER
LAB_SMTP_PASSWORD=$password
LAB_SMTP_LOG=$run/smtp.log
LAB_POSTFIX_STARTTLS_PORT=$POSTFIX_STARTTLS_PORT
LAB_POSTFIX_TLS_PORT=$POSTFIX_TLS_PORT
LAB_POSTFIX_LOG=$run/postfix/maillog
LAB_HTTPS_ADDRESS=$HTTPS_ADDRESS
LAB_HTTPS_PORT=$HTTPS_PORT
LAB_HTTPS_HOSTNAME=www.lab.test
LAB_HTTPS_URL=https://www.lab.test:$HTTPS_PORT/
LAB_HTTPS_LOG=$run/https.log
LAB_HTTPS_POST_LOG=$run/https-posts.log
LAB_HTTPS_ROGUE_PORT=$ROGUE_HTTPS_PORT
LAB_PROXY_URL=http://$PROXY_ADDRESS:$PROXY_PORT
LAB_PROXY_ADDRESS=$PROXY_ADDRESS
LAB_PROXY_PORT=$PROXY_PORT
LAB_PROXY_LOG=$run/proxy.log
LAB_PROXY_ONLY_HOSTNAME=$PROXY_ONLY_HOSTNAME
LAB_DKIM_MANIFEST=$run/dkim-manifest.json
LAB_IMAP_URL=imaps://imap.lab.test:$IMAP_PORT/INBOX
LAB_IMAP_USER=$IMAP_USER
LAB_IMAP_PASSWORD=$password
LAB_IMAP_MAILDIR=$run/dovecot/home/$IMAP_USER/Maildir
LAB_IMAP_LOG=$run/dovecot/dovecot.log
ENV
    chmod 600 "$run/lab.env"
    start_spf_suite
    finish_postfix || { stop quietly; exit 1; }

    if ! "$python" "$here/wait_ready.py" --env "$run/lab.env" --run "$run" --seconds 5; then
        echo "lab: not ready; logs in $run" >&2
        tail -n 20 "$run"/*.out "$run/nsd/nsd.log" "$run/postfix/maillog" >&2 2>/dev/null || true
        stop quietly
        exit 1
    fi
    echo "lab: ready ($run/lab.env)"
}

# The RFC 7208 suite's zone data, one root zone per section, each on its own nsd behind a fault proxy.
start_spf_suite() {
    local suite="$run/suite" routes=()
    rm -rf "$suite"
    mkdir -p "$suite"
    "$python" "$here/spf_suite_zones.py" --suite "$here/../Fixtures/rfc7208/rfc7208-tests.yml" --out "$suite" --port "$DNS_PORT"
    while read -r index nsd_address proxy_address; do
        local folder
        folder="$suite/s$(printf '%02d' "$index")"
        cat > "$folder/nsd.conf" <<CONF
server:
    ip-address: ${nsd_address%:*}@$DNS_PORT
    port: $DNS_PORT
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$folder/zone.list"
    xfrdfile: "$folder/xfrd.state"
    xfrdir: "$folder"
    pidfile: "$run/suite-nsd-$index.pid"
    logfile: "$folder/nsd.log"
    server-count: 1
    rrl-ratelimit: 0
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: "."
    zonefile: "$folder/root.zone"
CONF
        nsd -c "$folder/nsd.conf"
        routes+=(--route "$proxy_address,$nsd_address,$folder/rules.json")
    done < "$suite/sections.env"
    "$python" "$here/fault_dns.py" "${routes[@]}" --log "$suite/fault-dns.log" --ready-file "$run/suite-fault-dns.ready" \
        > "$run/suite-fault-dns.out" 2>&1 &
    echo $! > "$run/suite-fault-dns.pid"
    echo "LAB_SPF_SUITE_SECTIONS=$suite/sections.env" >> "$run/lab.env"
}

stop() {
    local all=("${services[@]}") pids=()
    for pidfile in "$run"/suite-nsd-*.pid; do
        [ -e "$pidfile" ] && all+=("$(basename "$pidfile" .pid)")
    done
    for service in "${all[@]}"; do
        local pid
        pid=$(pid_of "$service")
        if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then pids+=("$pid"); fi
        rm -f "$run/$service.pid"
    done
    # Every service got SIGTERM at once; wait for all together, then force the stragglers.
    for _ in $(seq 50); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" -eq 0 ] && break
        sleep 0.05
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    [ "${1:-}" = quietly ] || echo "lab: stopped"
}

status() {
    local down=0
    for service in "${services[@]}"; do
        if alive "$service"; then echo "$service: running (pid $(pid_of "$service"))"; else echo "$service: stopped"; down=1; fi
    done
    return $down
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
