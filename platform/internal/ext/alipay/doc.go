// Package alipay is the platform's client of the Alipay open API (支付宝开放平台): the
// web OAuth page, alipay.system.oauth.token, alipay.user.info.share, the life-account
// (生活号) template message, and the verification of asynchronous notifications.
//
// It is written on Go's standard crypto because the usual Go Alipay SDKs are not served
// by the project's module proxy, and because the protocol is small enough that owning it
// is cheaper than auditing a dependency that handles private keys:
//
//   - A request is signed with RSA2 = SHA256withRSA (PKCS#1 v1.5) over the parameters
//     sorted by key and joined as k=v&… (raw values, not URL-encoded), leaving out sign
//     and empty values (SignContent, SignParams, VerifyParams).
//   - A response is trusted only after the signature over the exact bytes of its
//     <method>_response (or error_response) node verifies against the Alipay public key;
//     the node is cut out of the body by a JSON scanner, never re-encoded, and the bytes
//     that were verified are the bytes that are decoded.
//   - A notification is trusted only after the same RSA2 check over its form fields
//     without sign and sign_type (VerifyNotify), and is handled once per notify_id
//     (NotifyHandler).
//   - Timestamps are Beijing time (UTC+8) whatever the machine's zone, because the
//     gateway reads them that way (FormatTimestamp).
//
// Key mode: only the public-key mode (公钥模式) is supported: the app's RSA private key
// signs requests and the Alipay public key of the app verifies responses. The certificate
// mode (公钥证书模式) is not supported yet, because it adds app_cert_sn and
// alipay_root_cert_sn parameters, a chain check against Alipay's root certificate and
// rotation of Alipay's certificate by alipay_cert_sn in every response; none of the
// methods the platform calls requires it (only fund-transfer APIs do). A configuration
// that passes a certificate where a public key is expected is refused with that reason.
package alipay
