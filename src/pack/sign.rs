//! Minisign signatures of pack files (`X.toml` + `X.toml.minisig`), compatible with the
//! `minisign` tool: signatures made by either verify with the other.

/// Why signing or verifying failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("the secret key cannot be used: {0}; give a minisign secret key file (password-less, or set the password)")]
    SecretKey(String),
    #[error("the public key cannot be read: {0}; give the minisign public key file or its base64 line (starts with RW)")]
    PublicKey(String),
    #[error("the signature file cannot be read: {0}; it must be a minisign signature (.minisig)")]
    Signature(String),
    #[error("signing failed: {0}")]
    Signing(String),
    #[error("the signature was made with another key (key id mismatch); check which public key you installed")]
    WrongKey,
    #[error("the signature does not match the file: the pack was changed after signing, or the signature belongs to another file")]
    Invalid,
}

/// Signs `data` with a minisign secret key (the text of the key file). `password` is needed
/// only for an encrypted key. Returns the text of the `.minisig` file (prehashed Ed25519, as
/// `minisign -S` writes by default).
pub fn sign(
    data: &[u8],
    secret_key: &str,
    password: Option<String>,
    trusted_comment: Option<&str>,
) -> Result<String, SignError> {
    let sk_box = minisign::SecretKeyBox::from_string(secret_key)
        .map_err(|e| SignError::SecretKey(e.to_string()))?;
    let sk = match password {
        Some(pw) => sk_box.into_secret_key(Some(pw)),
        None => sk_box
            .into_unencrypted_secret_key()
            .or_else(|e| unencrypted_without_checksum(secret_key).ok_or(e)),
    }
    .map_err(|e| SignError::SecretKey(e.to_string()))?;
    let sig = minisign::sign(None, &sk, std::io::Cursor::new(data), trusted_comment, None)
        .map_err(|e| SignError::Signing(e.to_string()))?;
    Ok(sig.into_string())
}

/// Password-less keys made by `minisign -G -W` (0.11) carry an all-zero checksum, which the
/// `minisign` crate refuses as corrupted. Such a key is accepted when it is not encrypted and
/// its secret and public halves agree (a test signature made with it verifies).
fn unencrypted_without_checksum(secret_key: &str) -> Option<minisign::SecretKey> {
    use ct_codecs::{Base64, Decoder};
    let line = secret_key.lines().nth(1)?.trim();
    let bytes = Base64::decode_to_vec(line, None).ok()?;
    let sk = minisign::SecretKey::from_bytes(&bytes).ok()?;
    if sk.is_encrypted() {
        return None;
    }
    let pk = minisign::PublicKey::from_secret_key(&sk).ok()?;
    let probe = b"caseway key check";
    let sig = minisign::sign(Some(&pk), &sk, &probe[..], None, None).ok()?;
    let pk_b64 = pk.to_base64();
    verify(probe, &sig.into_string(), &pk_b64).ok()?;
    Some(sk)
}

/// A signature that verified.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Verified {
    /// The signed comment (minisign's "trusted comment"), e.g. a timestamp and file name.
    pub trusted_comment: String,
}

/// Decodes a public key given either as the content of a `minisign.pub` file or as the bare
/// base64 key line.
pub fn public_key(text: &str) -> Result<minisign_verify::PublicKey, SignError> {
    let t = text.trim();
    let res = if t.lines().count() > 1 {
        minisign_verify::PublicKey::decode(t)
    } else {
        minisign_verify::PublicKey::from_base64(t)
    };
    res.map_err(|e| SignError::PublicKey(e.to_string()))
}

/// Verifies `data` against the text of its `.minisig` file and a public key (file content or
/// base64 line). Legacy (non-prehashed) signatures are accepted too.
pub fn verify(data: &[u8], signature: &str, public_key_text: &str) -> Result<Verified, SignError> {
    let pk = public_key(public_key_text)?;
    let sig = minisign_verify::Signature::decode(signature)
        .map_err(|e| SignError::Signature(e.to_string()))?;
    match pk.verify(data, &sig, true) {
        Ok(()) => Ok(Verified {
            trusted_comment: sig.trusted_comment().to_string(),
        }),
        Err(minisign_verify::Error::UnexpectedKeyId) => Err(SignError::WrongKey),
        Err(_) => Err(SignError::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify_round_trip_and_tamper() {
        let kp = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let sk_text = kp.sk.to_box(None).unwrap().into_string();
        let pk_text = kp.pk.to_box().unwrap().into_string();
        let data = b"format = 1\n";
        let sig = sign(data, &sk_text, None, Some("caseway test")).unwrap();
        let v = verify(data, &sig, &pk_text).unwrap();
        assert_eq!(v.trusted_comment, "caseway test");
        // The bare base64 line works as well.
        let b64 = kp.pk.to_base64();
        assert!(verify(data, &sig, &b64).is_ok());
        assert!(matches!(
            verify(b"format = 2\n", &sig, &pk_text),
            Err(SignError::Invalid)
        ));
        let other = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        assert!(matches!(
            verify(data, &sig, &other.pk.to_base64()),
            Err(SignError::WrongKey)
        ));
        assert!(matches!(
            verify(data, &sig, "not a key"),
            Err(SignError::PublicKey(_))
        ));
        assert!(matches!(
            sign(data, "junk", None, None),
            Err(SignError::SecretKey(_))
        ));
    }

    #[test]
    fn encrypted_key_needs_its_password_and_never_prompts() {
        let kp = minisign::KeyPair::generate_encrypted_keypair(Some("pw".into())).unwrap();
        let sk_text = kp.sk.to_box(None).unwrap().into_string();
        let data = b"format = 1\n";
        assert!(matches!(
            sign(data, &sk_text, None, None),
            Err(SignError::SecretKey(_))
        ));
        assert!(matches!(
            sign(data, &sk_text, Some("wrong".into()), None),
            Err(SignError::SecretKey(_))
        ));
        let sig = sign(data, &sk_text, Some("pw".into()), None).unwrap();
        assert!(verify(data, &sig, &kp.pk.to_base64()).is_ok());
    }
}
