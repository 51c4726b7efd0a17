"""Voice TwiML: :class:`VoiceResponse` and every verb and noun it can hold."""

from __future__ import annotations

from typing import Any

from ._base import (
    AttrValue,
    TextValue,
    TwiML,
    _SubElement,
    invalid,
    render_attr,
    render_text,
    set_extra,
)
from .ssml import (
    SsmlBreak,
    SsmlEmphasis,
    SsmlLang,
    SsmlP,
    SsmlPhoneme,
    SsmlProsody,
    SsmlS,
    SsmlSayAs,
    SsmlSub,
    SsmlW,
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SayAsBuilder,
    _SBuilder,
    _SubBuilder,
    _WBuilder,
)

_new = object.__new__


class _PauseBuilder(TwiML):
    """Builds ``<Pause>`` children."""

    __slots__ = ()

    def pause(
        self,
        length: AttrValue = None,
        **kwargs: Any,
    ) -> Pause:
        """Add a ``<Pause>`` child and return it.

        :param length: Length in seconds to pause
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Pause")
        try:
            if length is not None:
                el.set("length", length if type(length) is str else render_attr(length))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {"length": length}, kwargs) from None
        node = _new(Pause)
        node._el = el
        return node


class _PlayBuilder(TwiML):
    """Builds ``<Play>`` children."""

    __slots__ = ()

    def play(
        self,
        url: TextValue = None,
        loop: AttrValue = None,
        digits: AttrValue = None,
        **kwargs: Any,
    ) -> Play:
        """Add a ``<Play>`` child and return it.

        :param url: Media URL
        :param loop: Times to loop media
        :param digits: Play DTMF tones for digits
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Play")
        try:
            if url is not None:
                el.text = url if type(url) is str else render_text(url)
            if loop is not None:
                el.set("loop", loop if type(loop) is str else render_attr(loop))
            if digits is not None:
                el.set("digits", digits if type(digits) is str else render_attr(digits))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, url, {"loop": loop, "digits": digits}, kwargs
            ) from None
        node = _new(Play)
        node._el = el
        return node


class _QueueBuilder(TwiML):
    """Builds ``<Queue>`` children."""

    __slots__ = ()

    def queue(
        self,
        name: TextValue,
        url: AttrValue = None,
        method: AttrValue = None,
        reservation_sid: AttrValue = None,
        post_work_activity_sid: AttrValue = None,
        **kwargs: Any,
    ) -> Queue:
        """Add a ``<Queue>`` child and return it.

        :param name: Queue name
        :param url: Action URL
        :param method: Action URL method
        :param reservation_sid: TaskRouter Reservation SID
        :param post_work_activity_sid: TaskRouter Activity SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Queue")
        try:
            if name is not None:
                el.text = name if type(name) is str else render_text(name)
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if reservation_sid is not None:
                el.set(
                    "reservationSid",
                    reservation_sid
                    if type(reservation_sid) is str
                    else render_attr(reservation_sid),
                )
            if post_work_activity_sid is not None:
                el.set(
                    "postWorkActivitySid",
                    post_work_activity_sid
                    if type(post_work_activity_sid) is str
                    else render_attr(post_work_activity_sid),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                name,
                {
                    "url": url,
                    "method": method,
                    "reservationSid": reservation_sid,
                    "postWorkActivitySid": post_work_activity_sid,
                },
                kwargs,
            ) from None
        node = _new(Queue)
        node._el = el
        return node


class _RedirectBuilder(TwiML):
    """Builds ``<Redirect>`` children."""

    __slots__ = ()

    def redirect(
        self,
        url: TextValue,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Redirect:
        """Add a ``<Redirect>`` child and return it.

        :param url: Redirect URL
        :param method: Redirect URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Redirect")
        try:
            if url is not None:
                el.text = url if type(url) is str else render_text(url)
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, url, {"method": method}, kwargs) from None
        node = _new(Redirect)
        node._el = el
        return node


class _SayBuilder(TwiML):
    """Builds ``<Say>`` children."""

    __slots__ = ()

    def say(
        self,
        message: TextValue = None,
        voice: AttrValue = None,
        loop: AttrValue = None,
        language: AttrValue = None,
        **kwargs: Any,
    ) -> Say:
        """Add a ``<Say>`` child and return it.

        :param message: Message to say
        :param voice: Voice to use
        :param loop: Times to loop message
        :param language: Message language
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Say")
        try:
            if message is not None:
                el.text = message if type(message) is str else render_text(message)
            if voice is not None:
                el.set("voice", voice if type(voice) is str else render_attr(voice))
            if loop is not None:
                el.set("loop", loop if type(loop) is str else render_attr(loop))
            if language is not None:
                el.set("language", language if type(language) is str else render_attr(language))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                message,
                {"voice": voice, "loop": loop, "language": language},
                kwargs,
            ) from None
        node = _new(Say)
        node._el = el
        return node


class _PromptBuilder(TwiML):
    """Builds ``<Prompt>`` children."""

    __slots__ = ()

    def prompt(
        self,
        for_: AttrValue = None,
        error_type: AttrValue = None,
        card_type: AttrValue = None,
        attempt: AttrValue = None,
        require_matching_inputs: AttrValue = None,
        **kwargs: Any,
    ) -> Prompt:
        """Add a ``<Prompt>`` child and return it.

        :param for_: Name of the payment source data element
        :param error_type: Type of error
        :param card_type: Type of the credit card
        :param attempt: Current attempt count
        :param require_matching_inputs: Require customer to input requested information twice and
            verify matching.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Prompt")
        try:
            if for_ is not None:
                el.set("for", for_ if type(for_) is str else render_attr(for_))
            if error_type is not None:
                el.set(
                    "errorType", error_type if type(error_type) is str else render_attr(error_type)
                )
            if card_type is not None:
                el.set("cardType", card_type if type(card_type) is str else render_attr(card_type))
            if attempt is not None:
                el.set("attempt", attempt if type(attempt) is str else render_attr(attempt))
            if require_matching_inputs is not None:
                el.set(
                    "requireMatchingInputs",
                    require_matching_inputs
                    if type(require_matching_inputs) is str
                    else render_attr(require_matching_inputs),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "for": for_,
                    "errorType": error_type,
                    "cardType": card_type,
                    "attempt": attempt,
                    "requireMatchingInputs": require_matching_inputs,
                },
                kwargs,
            ) from None
        node = _new(Prompt)
        node._el = el
        return node


class _StreamBuilder(TwiML):
    """Builds ``<Stream>`` children."""

    __slots__ = ()

    def stream(
        self,
        name: AttrValue = None,
        connector_name: AttrValue = None,
        url: AttrValue = None,
        track: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        audio_format: AttrValue = None,
        sample_rate: AttrValue = None,
        **kwargs: Any,
    ) -> Stream:
        """Add a ``<Stream>`` child and return it.

        :param name: Friendly name given to the Stream
        :param connector_name: Unique name for Stream Connector
        :param url: URL of the remote service where the Stream is routed
        :param track: Track to be streamed to remote service
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param audio_format: Required Audio Format
        :param sample_rate: Sample Rate for HD Codec
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Stream")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if connector_name is not None:
                el.set(
                    "connectorName",
                    connector_name if type(connector_name) is str else render_attr(connector_name),
                )
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if track is not None:
                el.set("track", track if type(track) is str else render_attr(track))
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if audio_format is not None:
                el.set(
                    "audioFormat",
                    audio_format if type(audio_format) is str else render_attr(audio_format),
                )
            if sample_rate is not None:
                el.set(
                    "sampleRate",
                    sample_rate if type(sample_rate) is str else render_attr(sample_rate),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "name": name,
                    "connectorName": connector_name,
                    "url": url,
                    "track": track,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "audioFormat": audio_format,
                    "sampleRate": sample_rate,
                },
                kwargs,
            ) from None
        node = _new(Stream)
        node._el = el
        return node


class _SiprecBuilder(TwiML):
    """Builds ``<Siprec>`` children."""

    __slots__ = ()

    def siprec(
        self,
        name: AttrValue = None,
        connector_name: AttrValue = None,
        track: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> Siprec:
        """Add a ``<Siprec>`` child and return it.

        :param name: Friendly name given to SIPREC
        :param connector_name: Unique name for Connector
        :param track: Track to be streamed to remote service
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Siprec")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if connector_name is not None:
                el.set(
                    "connectorName",
                    connector_name if type(connector_name) is str else render_attr(connector_name),
                )
            if track is not None:
                el.set("track", track if type(track) is str else render_attr(track))
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "name": name,
                    "connectorName": connector_name,
                    "track": track,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(Siprec)
        node._el = el
        return node


class _TranscriptionBuilder(TwiML):
    """Builds ``<Transcription>`` children."""

    __slots__ = ()

    def transcription(
        self,
        name: AttrValue = None,
        track: AttrValue = None,
        status_callback_url: AttrValue = None,
        status_callback_method: AttrValue = None,
        inbound_track_label: AttrValue = None,
        outbound_track_label: AttrValue = None,
        partial_results: AttrValue = None,
        language_code: AttrValue = None,
        transcription_engine: AttrValue = None,
        profanity_filter: AttrValue = None,
        speech_model: AttrValue = None,
        hints: AttrValue = None,
        enable_automatic_punctuation: AttrValue = None,
        intelligence_service: AttrValue = None,
        **kwargs: Any,
    ) -> Transcription:
        """Add a ``<Transcription>`` child and return it.

        :param name: Friendly name given to the Transcription
        :param track: Track to be analyze by the provider
        :param status_callback_url: Status Callback URL
        :param status_callback_method: Status Callback URL method
        :param inbound_track_label: Friendly name given to the Inbound Track
        :param outbound_track_label: Friendly name given to the Outbound Track Label
        :param partial_results: Indicates if partial results are going to be send to the customer
        :param language_code: Language Code used by the transcription engine
        :param transcription_engine: Transcription Engine to be used
        :param profanity_filter: Enable Profanity Filter
        :param speech_model: Speech Model used by the transcription engine
        :param hints: Hints to be provided to the transcription engine
        :param enable_automatic_punctuation: Enable Automatic Punctuation
        :param intelligence_service: The SID or the unique name of the Intelligence Service to be
            used
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Transcription")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if track is not None:
                el.set("track", track if type(track) is str else render_attr(track))
            if status_callback_url is not None:
                el.set(
                    "statusCallbackUrl",
                    status_callback_url
                    if type(status_callback_url) is str
                    else render_attr(status_callback_url),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if inbound_track_label is not None:
                el.set(
                    "inboundTrackLabel",
                    inbound_track_label
                    if type(inbound_track_label) is str
                    else render_attr(inbound_track_label),
                )
            if outbound_track_label is not None:
                el.set(
                    "outboundTrackLabel",
                    outbound_track_label
                    if type(outbound_track_label) is str
                    else render_attr(outbound_track_label),
                )
            if partial_results is not None:
                el.set(
                    "partialResults",
                    partial_results
                    if type(partial_results) is str
                    else render_attr(partial_results),
                )
            if language_code is not None:
                el.set(
                    "languageCode",
                    language_code if type(language_code) is str else render_attr(language_code),
                )
            if transcription_engine is not None:
                el.set(
                    "transcriptionEngine",
                    transcription_engine
                    if type(transcription_engine) is str
                    else render_attr(transcription_engine),
                )
            if profanity_filter is not None:
                el.set(
                    "profanityFilter",
                    profanity_filter
                    if type(profanity_filter) is str
                    else render_attr(profanity_filter),
                )
            if speech_model is not None:
                el.set(
                    "speechModel",
                    speech_model if type(speech_model) is str else render_attr(speech_model),
                )
            if hints is not None:
                el.set("hints", hints if type(hints) is str else render_attr(hints, "hints"))
            if enable_automatic_punctuation is not None:
                el.set(
                    "enableAutomaticPunctuation",
                    enable_automatic_punctuation
                    if type(enable_automatic_punctuation) is str
                    else render_attr(enable_automatic_punctuation),
                )
            if intelligence_service is not None:
                el.set(
                    "intelligenceService",
                    intelligence_service
                    if type(intelligence_service) is str
                    else render_attr(intelligence_service),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "name": name,
                    "track": track,
                    "statusCallbackUrl": status_callback_url,
                    "statusCallbackMethod": status_callback_method,
                    "inboundTrackLabel": inbound_track_label,
                    "outboundTrackLabel": outbound_track_label,
                    "partialResults": partial_results,
                    "languageCode": language_code,
                    "transcriptionEngine": transcription_engine,
                    "profanityFilter": profanity_filter,
                    "speechModel": speech_model,
                    "hints": hints,
                    "enableAutomaticPunctuation": enable_automatic_punctuation,
                    "intelligenceService": intelligence_service,
                },
                kwargs,
            ) from None
        node = _new(Transcription)
        node._el = el
        return node


class _ConfigBuilder(TwiML):
    """Builds ``<Config>`` children."""

    __slots__ = ()

    def config(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Config:
        """Add a ``<Config>`` child and return it.

        :param name: The name of the custom config
        :param value: The value of the custom config
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Config")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if value is not None:
                el.set("value", value if type(value) is str else render_attr(value))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {"name": name, "value": value}, kwargs) from None
        node = _new(Config)
        node._el = el
        return node


class _ParameterBuilder(TwiML):
    """Builds ``<Parameter>`` children."""

    __slots__ = ()

    def parameter(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Parameter:
        """Add a ``<Parameter>`` child and return it.

        :param name: The name of the custom parameter
        :param value: The value of the custom parameter
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Parameter")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if value is not None:
                el.set("value", value if type(value) is str else render_attr(value))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {"name": name, "value": value}, kwargs) from None
        node = _new(Parameter)
        node._el = el
        return node


class VoiceResponse(
    _PauseBuilder, _PlayBuilder, _QueueBuilder, _RedirectBuilder, _SayBuilder, _PromptBuilder, TwiML
):
    """A ``<Response>`` for Voice: the root of a Voice TwiML document."""

    __slots__ = ()
    _tag = "Response"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def connect(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Connect:
        """Add a ``<Connect>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Connect")
        try:
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, None, {"action": action, "method": method}, kwargs
            ) from None
        node = _new(Connect)
        node._el = el
        return node

    def dial(
        self,
        number: TextValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        hangup_on_star: AttrValue = None,
        time_limit: AttrValue = None,
        caller_id: AttrValue = None,
        record: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        answer_on_bridge: AttrValue = None,
        ring_tone: AttrValue = None,
        recording_track: AttrValue = None,
        sequential: AttrValue = None,
        refer_url: AttrValue = None,
        refer_method: AttrValue = None,
        events: AttrValue = None,
        passports: AttrValue = None,
        **kwargs: Any,
    ) -> Dial:
        """Add a ``<Dial>`` child and return it.

        :param number: Phone number to dial
        :param action: Action URL
        :param method: Action URL method
        :param timeout: Time to wait for answer
        :param hangup_on_star: Hangup call on star press
        :param time_limit: Max time length
        :param caller_id: Caller ID to display
        :param record: Record the call
        :param trim: Trim the recording
        :param recording_status_callback: Recording status callback URL
        :param recording_configuration_id: Configuration for the recording
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param answer_on_bridge: Preserve the ringing behavior of the inbound call until the Dialed
            call picks up
        :param ring_tone: Ringtone allows you to override the ringback tone that Twilio will play
            back to the caller while executing the Dial
        :param recording_track: To indicate which audio track should be recorded
        :param sequential: Used to determine if child TwiML nouns should be dialed in order, one
            after the other (sequential) or dial all at once (parallel). Default is false, parallel
        :param refer_url: Webhook that will receive future SIP REFER requests
        :param refer_method: The HTTP method to use for the refer Webhook
        :param events: Subscription to events
        :param passports: Base64-encoded comma-separated identity passports (e.g. shaken, div)
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Dial")
        try:
            if number is not None:
                el.text = number if type(number) is str else render_text(number)
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if timeout is not None:
                el.set("timeout", timeout if type(timeout) is str else render_attr(timeout))
            if hangup_on_star is not None:
                el.set(
                    "hangupOnStar",
                    hangup_on_star if type(hangup_on_star) is str else render_attr(hangup_on_star),
                )
            if time_limit is not None:
                el.set(
                    "timeLimit", time_limit if type(time_limit) is str else render_attr(time_limit)
                )
            if caller_id is not None:
                el.set("callerId", caller_id if type(caller_id) is str else render_attr(caller_id))
            if record is not None:
                el.set("record", record if type(record) is str else render_attr(record))
            if trim is not None:
                el.set("trim", trim if type(trim) is str else render_attr(trim))
            if recording_status_callback is not None:
                el.set(
                    "recordingStatusCallback",
                    recording_status_callback
                    if type(recording_status_callback) is str
                    else render_attr(recording_status_callback),
                )
            if recording_configuration_id is not None:
                el.set(
                    "recordingConfigurationId",
                    recording_configuration_id
                    if type(recording_configuration_id) is str
                    else render_attr(recording_configuration_id),
                )
            if recording_status_callback_method is not None:
                el.set(
                    "recordingStatusCallbackMethod",
                    recording_status_callback_method
                    if type(recording_status_callback_method) is str
                    else render_attr(recording_status_callback_method),
                )
            if recording_status_callback_event is not None:
                el.set(
                    "recordingStatusCallbackEvent",
                    recording_status_callback_event
                    if type(recording_status_callback_event) is str
                    else render_attr(recording_status_callback_event),
                )
            if answer_on_bridge is not None:
                el.set(
                    "answerOnBridge",
                    answer_on_bridge
                    if type(answer_on_bridge) is str
                    else render_attr(answer_on_bridge),
                )
            if ring_tone is not None:
                el.set("ringTone", ring_tone if type(ring_tone) is str else render_attr(ring_tone))
            if recording_track is not None:
                el.set(
                    "recordingTrack",
                    recording_track
                    if type(recording_track) is str
                    else render_attr(recording_track),
                )
            if sequential is not None:
                el.set(
                    "sequential", sequential if type(sequential) is str else render_attr(sequential)
                )
            if refer_url is not None:
                el.set("referUrl", refer_url if type(refer_url) is str else render_attr(refer_url))
            if refer_method is not None:
                el.set(
                    "referMethod",
                    refer_method if type(refer_method) is str else render_attr(refer_method),
                )
            if events is not None:
                el.set("events", events if type(events) is str else render_attr(events))
            if passports is not None:
                el.set("passports", passports if type(passports) is str else render_attr(passports))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                number,
                {
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "hangupOnStar": hangup_on_star,
                    "timeLimit": time_limit,
                    "callerId": caller_id,
                    "record": record,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingConfigurationId": recording_configuration_id,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "answerOnBridge": answer_on_bridge,
                    "ringTone": ring_tone,
                    "recordingTrack": recording_track,
                    "sequential": sequential,
                    "referUrl": refer_url,
                    "referMethod": refer_method,
                    "events": events,
                    "passports": passports,
                },
                kwargs,
            ) from None
        node = _new(Dial)
        node._el = el
        return node

    def echo(
        self,
        **kwargs: Any,
    ) -> Echo:
        """Add a ``<Echo>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Echo")
        try:
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {}, kwargs) from None
        node = _new(Echo)
        node._el = el
        return node

    def enqueue(
        self,
        name: TextValue = None,
        action: AttrValue = None,
        max_queue_size: AttrValue = None,
        method: AttrValue = None,
        wait_url: AttrValue = None,
        wait_url_method: AttrValue = None,
        workflow_sid: AttrValue = None,
        **kwargs: Any,
    ) -> Enqueue:
        """Add a ``<Enqueue>`` child and return it.

        :param name: Friendly name
        :param action: Action URL
        :param max_queue_size: Maximum size of queue
        :param method: Action URL method
        :param wait_url: Wait URL
        :param wait_url_method: Wait URL method
        :param workflow_sid: TaskRouter Workflow SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Enqueue")
        try:
            if name is not None:
                el.text = name if type(name) is str else render_text(name)
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if max_queue_size is not None:
                el.set(
                    "maxQueueSize",
                    max_queue_size if type(max_queue_size) is str else render_attr(max_queue_size),
                )
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if wait_url is not None:
                el.set("waitUrl", wait_url if type(wait_url) is str else render_attr(wait_url))
            if wait_url_method is not None:
                el.set(
                    "waitUrlMethod",
                    wait_url_method
                    if type(wait_url_method) is str
                    else render_attr(wait_url_method),
                )
            if workflow_sid is not None:
                el.set(
                    "workflowSid",
                    workflow_sid if type(workflow_sid) is str else render_attr(workflow_sid),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                name,
                {
                    "action": action,
                    "maxQueueSize": max_queue_size,
                    "method": method,
                    "waitUrl": wait_url,
                    "waitUrlMethod": wait_url_method,
                    "workflowSid": workflow_sid,
                },
                kwargs,
            ) from None
        node = _new(Enqueue)
        node._el = el
        return node

    def gather(
        self,
        input: AttrValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        speech_timeout: AttrValue = None,
        max_speech_time: AttrValue = None,
        profanity_filter: AttrValue = None,
        finish_on_key: AttrValue = None,
        num_digits: AttrValue = None,
        partial_result_callback: AttrValue = None,
        partial_result_callback_method: AttrValue = None,
        language: AttrValue = None,
        hints: AttrValue = None,
        barge_in: AttrValue = None,
        debug: AttrValue = None,
        action_on_empty_result: AttrValue = None,
        speech_model: AttrValue = None,
        enhanced: AttrValue = None,
        **kwargs: Any,
    ) -> Gather:
        """Add a ``<Gather>`` child and return it.

        :param input: Input type Twilio should accept
        :param action: Action URL
        :param method: Action URL method
        :param timeout: Time to wait to gather input
        :param speech_timeout: Time to wait to gather speech input and it should be either auto or a
            positive integer.
        :param max_speech_time: Max allowed time for speech input
        :param profanity_filter: Profanity Filter on speech
        :param finish_on_key: Finish gather on key
        :param num_digits: Number of digits to collect
        :param partial_result_callback: Partial result callback URL
        :param partial_result_callback_method: Partial result callback URL method
        :param language: Language to use
        :param hints: Speech recognition hints
        :param barge_in: Stop playing media upon speech
        :param debug: Allow debug for gather
        :param action_on_empty_result: Force webhook to the action URL event if there is no input
        :param speech_model: Specify the model that is best suited for your use case
        :param enhanced: Use enhanced speech model
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Gather")
        try:
            if input is not None:
                el.set("input", input if type(input) is str else render_attr(input))
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if timeout is not None:
                el.set("timeout", timeout if type(timeout) is str else render_attr(timeout))
            if speech_timeout is not None:
                el.set(
                    "speechTimeout",
                    speech_timeout if type(speech_timeout) is str else render_attr(speech_timeout),
                )
            if max_speech_time is not None:
                el.set(
                    "maxSpeechTime",
                    max_speech_time
                    if type(max_speech_time) is str
                    else render_attr(max_speech_time),
                )
            if profanity_filter is not None:
                el.set(
                    "profanityFilter",
                    profanity_filter
                    if type(profanity_filter) is str
                    else render_attr(profanity_filter),
                )
            if finish_on_key is not None:
                el.set(
                    "finishOnKey",
                    finish_on_key if type(finish_on_key) is str else render_attr(finish_on_key),
                )
            if num_digits is not None:
                el.set(
                    "numDigits", num_digits if type(num_digits) is str else render_attr(num_digits)
                )
            if partial_result_callback is not None:
                el.set(
                    "partialResultCallback",
                    partial_result_callback
                    if type(partial_result_callback) is str
                    else render_attr(partial_result_callback),
                )
            if partial_result_callback_method is not None:
                el.set(
                    "partialResultCallbackMethod",
                    partial_result_callback_method
                    if type(partial_result_callback_method) is str
                    else render_attr(partial_result_callback_method),
                )
            if language is not None:
                el.set("language", language if type(language) is str else render_attr(language))
            if hints is not None:
                el.set("hints", hints if type(hints) is str else render_attr(hints, "hints"))
            if barge_in is not None:
                el.set("bargeIn", barge_in if type(barge_in) is str else render_attr(barge_in))
            if debug is not None:
                el.set("debug", debug if type(debug) is str else render_attr(debug))
            if action_on_empty_result is not None:
                el.set(
                    "actionOnEmptyResult",
                    action_on_empty_result
                    if type(action_on_empty_result) is str
                    else render_attr(action_on_empty_result),
                )
            if speech_model is not None:
                el.set(
                    "speechModel",
                    speech_model if type(speech_model) is str else render_attr(speech_model),
                )
            if enhanced is not None:
                el.set("enhanced", enhanced if type(enhanced) is str else render_attr(enhanced))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "input": input,
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "speechTimeout": speech_timeout,
                    "maxSpeechTime": max_speech_time,
                    "profanityFilter": profanity_filter,
                    "finishOnKey": finish_on_key,
                    "numDigits": num_digits,
                    "partialResultCallback": partial_result_callback,
                    "partialResultCallbackMethod": partial_result_callback_method,
                    "language": language,
                    "hints": hints,
                    "bargeIn": barge_in,
                    "debug": debug,
                    "actionOnEmptyResult": action_on_empty_result,
                    "speechModel": speech_model,
                    "enhanced": enhanced,
                },
                kwargs,
            ) from None
        node = _new(Gather)
        node._el = el
        return node

    def hangup(
        self,
        **kwargs: Any,
    ) -> Hangup:
        """Add a ``<Hangup>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Hangup")
        try:
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {}, kwargs) from None
        node = _new(Hangup)
        node._el = el
        return node

    def leave(
        self,
        **kwargs: Any,
    ) -> Leave:
        """Add a ``<Leave>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Leave")
        try:
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {}, kwargs) from None
        node = _new(Leave)
        node._el = el
        return node

    def record(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        timeout: AttrValue = None,
        finish_on_key: AttrValue = None,
        max_length: AttrValue = None,
        play_beep: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        transcribe: AttrValue = None,
        transcribe_callback: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        **kwargs: Any,
    ) -> Record:
        """Add a ``<Record>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param timeout: Timeout to begin recording
        :param finish_on_key: Finish recording on key
        :param max_length: Max time to record in seconds
        :param play_beep: Play beep
        :param trim: Trim the recording
        :param recording_status_callback: Status callback URL
        :param recording_status_callback_method: Status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param transcribe: Transcribe the recording
        :param transcribe_callback: Transcribe callback URL
        :param recording_configuration_id: Configuration for the recording
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Record")
        try:
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if timeout is not None:
                el.set("timeout", timeout if type(timeout) is str else render_attr(timeout))
            if finish_on_key is not None:
                el.set(
                    "finishOnKey",
                    finish_on_key if type(finish_on_key) is str else render_attr(finish_on_key),
                )
            if max_length is not None:
                el.set(
                    "maxLength", max_length if type(max_length) is str else render_attr(max_length)
                )
            if play_beep is not None:
                el.set("playBeep", play_beep if type(play_beep) is str else render_attr(play_beep))
            if trim is not None:
                el.set("trim", trim if type(trim) is str else render_attr(trim))
            if recording_status_callback is not None:
                el.set(
                    "recordingStatusCallback",
                    recording_status_callback
                    if type(recording_status_callback) is str
                    else render_attr(recording_status_callback),
                )
            if recording_status_callback_method is not None:
                el.set(
                    "recordingStatusCallbackMethod",
                    recording_status_callback_method
                    if type(recording_status_callback_method) is str
                    else render_attr(recording_status_callback_method),
                )
            if recording_status_callback_event is not None:
                el.set(
                    "recordingStatusCallbackEvent",
                    recording_status_callback_event
                    if type(recording_status_callback_event) is str
                    else render_attr(recording_status_callback_event),
                )
            if transcribe is not None:
                el.set(
                    "transcribe", transcribe if type(transcribe) is str else render_attr(transcribe)
                )
            if transcribe_callback is not None:
                el.set(
                    "transcribeCallback",
                    transcribe_callback
                    if type(transcribe_callback) is str
                    else render_attr(transcribe_callback),
                )
            if recording_configuration_id is not None:
                el.set(
                    "recordingConfigurationId",
                    recording_configuration_id
                    if type(recording_configuration_id) is str
                    else render_attr(recording_configuration_id),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "action": action,
                    "method": method,
                    "timeout": timeout,
                    "finishOnKey": finish_on_key,
                    "maxLength": max_length,
                    "playBeep": play_beep,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "transcribe": transcribe,
                    "transcribeCallback": transcribe_callback,
                    "recordingConfigurationId": recording_configuration_id,
                },
                kwargs,
            ) from None
        node = _new(Record)
        node._el = el
        return node

    def reject(
        self,
        reason: AttrValue = None,
        **kwargs: Any,
    ) -> Reject:
        """Add a ``<Reject>`` child and return it.

        :param reason: Rejection reason
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Reject")
        try:
            if reason is not None:
                el.set("reason", reason if type(reason) is str else render_attr(reason))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {"reason": reason}, kwargs) from None
        node = _new(Reject)
        node._el = el
        return node

    def sms(
        self,
        message: TextValue,
        to: AttrValue = None,
        from_: AttrValue = None,
        action: AttrValue = None,
        method: AttrValue = None,
        status_callback: AttrValue = None,
        **kwargs: Any,
    ) -> Sms:
        """Add a ``<Sms>`` child and return it.

        :param message: Message body
        :param to: Number to send message to
        :param from_: Number to send message from
        :param action: Action URL
        :param method: Action URL method
        :param status_callback: Status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Sms")
        try:
            if message is not None:
                el.text = message if type(message) is str else render_text(message)
            if to is not None:
                el.set("to", to if type(to) is str else render_attr(to))
            if from_ is not None:
                el.set("from", from_ if type(from_) is str else render_attr(from_))
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                message,
                {
                    "to": to,
                    "from": from_,
                    "action": action,
                    "method": method,
                    "statusCallback": status_callback,
                },
                kwargs,
            ) from None
        node = _new(Sms)
        node._el = el
        return node

    def pay(
        self,
        input: AttrValue = None,
        action: AttrValue = None,
        bank_account_type: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        timeout: AttrValue = None,
        max_attempts: AttrValue = None,
        security_code: AttrValue = None,
        postal_code: AttrValue = None,
        min_postal_code_length: AttrValue = None,
        payment_connector: AttrValue = None,
        payment_method: AttrValue = None,
        token_type: AttrValue = None,
        charge_amount: AttrValue = None,
        currency: AttrValue = None,
        description: AttrValue = None,
        valid_card_types: AttrValue = None,
        language: AttrValue = None,
        **kwargs: Any,
    ) -> Pay:
        """Add a ``<Pay>`` child and return it.

        :param input: Input type Twilio should accept
        :param action: Action URL
        :param bank_account_type: Bank account type for ach transactions. If set, payment method
            attribute must be provided and value should be set to ach-debit. defaults to consumer-
            checking
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback method
        :param timeout: Time to wait to gather input
        :param max_attempts: Maximum number of allowed retries when gathering input
        :param security_code: Prompt for security code
        :param postal_code: Prompt for postal code and it should be true/false or default postal
            code
        :param min_postal_code_length: Prompt for minimum postal code length
        :param payment_connector: Unique name for payment connector
        :param payment_method: Payment method to be used. defaults to credit-card
        :param token_type: Type of token
        :param charge_amount: Amount to process. If value is greater than 0 then make the payment
            else create a payment token
        :param currency: Currency of the amount attribute
        :param description: Details regarding the payment
        :param valid_card_types: Comma separated accepted card types
        :param language: Language to use
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Pay")
        try:
            if input is not None:
                el.set("input", input if type(input) is str else render_attr(input))
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if bank_account_type is not None:
                el.set(
                    "bankAccountType",
                    bank_account_type
                    if type(bank_account_type) is str
                    else render_attr(bank_account_type),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if timeout is not None:
                el.set("timeout", timeout if type(timeout) is str else render_attr(timeout))
            if max_attempts is not None:
                el.set(
                    "maxAttempts",
                    max_attempts if type(max_attempts) is str else render_attr(max_attempts),
                )
            if security_code is not None:
                el.set(
                    "securityCode",
                    security_code if type(security_code) is str else render_attr(security_code),
                )
            if postal_code is not None:
                el.set(
                    "postalCode",
                    postal_code if type(postal_code) is str else render_attr(postal_code),
                )
            if min_postal_code_length is not None:
                el.set(
                    "minPostalCodeLength",
                    min_postal_code_length
                    if type(min_postal_code_length) is str
                    else render_attr(min_postal_code_length),
                )
            if payment_connector is not None:
                el.set(
                    "paymentConnector",
                    payment_connector
                    if type(payment_connector) is str
                    else render_attr(payment_connector),
                )
            if payment_method is not None:
                el.set(
                    "paymentMethod",
                    payment_method if type(payment_method) is str else render_attr(payment_method),
                )
            if token_type is not None:
                el.set(
                    "tokenType", token_type if type(token_type) is str else render_attr(token_type)
                )
            if charge_amount is not None:
                el.set(
                    "chargeAmount",
                    charge_amount if type(charge_amount) is str else render_attr(charge_amount),
                )
            if currency is not None:
                el.set("currency", currency if type(currency) is str else render_attr(currency))
            if description is not None:
                el.set(
                    "description",
                    description if type(description) is str else render_attr(description),
                )
            if valid_card_types is not None:
                el.set(
                    "validCardTypes",
                    valid_card_types
                    if type(valid_card_types) is str
                    else render_attr(valid_card_types),
                )
            if language is not None:
                el.set("language", language if type(language) is str else render_attr(language))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "input": input,
                    "action": action,
                    "bankAccountType": bank_account_type,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "timeout": timeout,
                    "maxAttempts": max_attempts,
                    "securityCode": security_code,
                    "postalCode": postal_code,
                    "minPostalCodeLength": min_postal_code_length,
                    "paymentConnector": payment_connector,
                    "paymentMethod": payment_method,
                    "tokenType": token_type,
                    "chargeAmount": charge_amount,
                    "currency": currency,
                    "description": description,
                    "validCardTypes": valid_card_types,
                    "language": language,
                },
                kwargs,
            ) from None
        node = _new(Pay)
        node._el = el
        return node

    def start(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Start:
        """Add a ``<Start>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Start")
        try:
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, None, {"action": action, "method": method}, kwargs
            ) from None
        node = _new(Start)
        node._el = el
        return node

    def stop(
        self,
        **kwargs: Any,
    ) -> Stop:
        """Add a ``<Stop>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Stop")
        try:
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {}, kwargs) from None
        node = _new(Stop)
        node._el = el
        return node

    def refer(
        self,
        action: AttrValue = None,
        method: AttrValue = None,
        **kwargs: Any,
    ) -> Refer:
        """Add a ``<Refer>`` child and return it.

        :param action: Action URL
        :param method: Action URL method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Refer")
        try:
            if action is not None:
                el.set("action", action if type(action) is str else render_attr(action))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, None, {"action": action, "method": method}, kwargs
            ) from None
        node = _new(Refer)
        node._el = el
        return node


class Refer(TwiML):
    """The ``<Refer>`` TwiML verb."""

    __slots__ = ()
    _tag = "Refer"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def sip(
        self,
        sip_url: TextValue,
        **kwargs: Any,
    ) -> ReferSip:
        """Add a ``<Sip>`` child and return it.

        :param sip_url: SIP URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Sip")
        try:
            if sip_url is not None:
                el.text = sip_url if type(sip_url) is str else render_text(sip_url)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, sip_url, {}, kwargs) from None
        node = _new(ReferSip)
        node._el = el
        return node


class ReferSip(TwiML):
    """The ``<Sip>`` TwiML noun."""

    __slots__ = ()
    _tag = "Sip"

    def __init__(self, sip_url: TextValue, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)


class Stop(_StreamBuilder, _SiprecBuilder, _TranscriptionBuilder, TwiML):
    """The ``<Stop>`` TwiML verb."""

    __slots__ = ()
    _tag = "Stop"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Transcription(_ConfigBuilder, _ParameterBuilder, TwiML):
    """The ``<Transcription>`` TwiML noun."""

    __slots__ = ()
    _tag = "Transcription"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Parameter(TwiML):
    """The ``<Parameter>`` TwiML noun."""

    __slots__ = ()
    _tag = "Parameter"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Config(TwiML):
    """The ``<Config>`` TwiML noun."""

    __slots__ = ()
    _tag = "Config"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Siprec(_ParameterBuilder, TwiML):
    """The ``<Siprec>`` TwiML noun."""

    __slots__ = ()
    _tag = "Siprec"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Stream(_ParameterBuilder, TwiML):
    """The ``<Stream>`` TwiML noun."""

    __slots__ = ()
    _tag = "Stream"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Start(_StreamBuilder, _SiprecBuilder, _TranscriptionBuilder, TwiML):
    """The ``<Start>`` TwiML verb."""

    __slots__ = ()
    _tag = "Start"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def recording(
        self,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        trim: AttrValue = None,
        track: AttrValue = None,
        channels: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        **kwargs: Any,
    ) -> Recording:
        """Add a ``<Recording>`` child and return it.

        :param recording_status_callback: Recording Status Callback URL
        :param recording_status_callback_method: Recording Status Callback URL method
        :param recording_status_callback_event: Recording Status Callback Events
        :param trim: Trim the recording
        :param track: To indicate which audio track should be recorded
        :param channels: The recording channels for the final recording
        :param recording_configuration_id: Configuration for the recording
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Recording")
        try:
            if recording_status_callback is not None:
                el.set(
                    "recordingStatusCallback",
                    recording_status_callback
                    if type(recording_status_callback) is str
                    else render_attr(recording_status_callback),
                )
            if recording_status_callback_method is not None:
                el.set(
                    "recordingStatusCallbackMethod",
                    recording_status_callback_method
                    if type(recording_status_callback_method) is str
                    else render_attr(recording_status_callback_method),
                )
            if recording_status_callback_event is not None:
                el.set(
                    "recordingStatusCallbackEvent",
                    recording_status_callback_event
                    if type(recording_status_callback_event) is str
                    else render_attr(recording_status_callback_event),
                )
            if trim is not None:
                el.set("trim", trim if type(trim) is str else render_attr(trim))
            if track is not None:
                el.set("track", track if type(track) is str else render_attr(track))
            if channels is not None:
                el.set("channels", channels if type(channels) is str else render_attr(channels))
            if recording_configuration_id is not None:
                el.set(
                    "recordingConfigurationId",
                    recording_configuration_id
                    if type(recording_configuration_id) is str
                    else render_attr(recording_configuration_id),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "trim": trim,
                    "track": track,
                    "channels": channels,
                    "recordingConfigurationId": recording_configuration_id,
                },
                kwargs,
            ) from None
        node = _new(Recording)
        node._el = el
        return node


class Recording(TwiML):
    """The ``<Recording>`` TwiML noun."""

    __slots__ = ()
    _tag = "Recording"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Prompt(_SayBuilder, _PlayBuilder, _PauseBuilder, TwiML):
    """The ``<Prompt>`` TwiML verb."""

    __slots__ = ()
    _tag = "Prompt"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Pause(TwiML):
    """The ``<Pause>`` TwiML verb."""

    __slots__ = ()
    _tag = "Pause"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Play(TwiML):
    """The ``<Play>`` TwiML verb."""

    __slots__ = ()
    _tag = "Play"

    def __init__(self, url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Say(
    _BreakBuilder,
    _EmphasisBuilder,
    _LangBuilder,
    _PBuilder,
    _PhonemeBuilder,
    _ProsodyBuilder,
    _SBuilder,
    _SayAsBuilder,
    _SubBuilder,
    _WBuilder,
    TwiML,
):
    """The ``<Say>`` TwiML verb."""

    __slots__ = ()
    _tag = "Say"

    def __init__(self, message: TextValue = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Pay(_PromptBuilder, _ParameterBuilder, TwiML):
    """The ``<Pay>`` TwiML verb."""

    __slots__ = ()
    _tag = "Pay"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Sms(TwiML):
    """The ``<Sms>`` TwiML noun."""

    __slots__ = ()
    _tag = "Sms"

    def __init__(self, message: TextValue, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class Reject(_ParameterBuilder, TwiML):
    """The ``<Reject>`` TwiML verb."""

    __slots__ = ()
    _tag = "Reject"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Redirect(TwiML):
    """The ``<Redirect>`` TwiML verb."""

    __slots__ = ()
    _tag = "Redirect"

    def __init__(self, url: TextValue, **kwargs: Any) -> None:
        super().__init__(url, **kwargs)


class Record(TwiML):
    """The ``<Record>`` TwiML verb."""

    __slots__ = ()
    _tag = "Record"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Queue(TwiML):
    """The ``<Queue>`` TwiML noun."""

    __slots__ = ()
    _tag = "Queue"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Leave(TwiML):
    """The ``<Leave>`` TwiML verb."""

    __slots__ = ()
    _tag = "Leave"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Hangup(_ParameterBuilder, TwiML):
    """The ``<Hangup>`` TwiML verb."""

    __slots__ = ()
    _tag = "Hangup"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Gather(_SayBuilder, _PauseBuilder, _PlayBuilder, TwiML):
    """The ``<Gather>`` TwiML verb."""

    __slots__ = ()
    _tag = "Gather"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Enqueue(TwiML):
    """The ``<Enqueue>`` TwiML noun."""

    __slots__ = ()
    _tag = "Enqueue"

    def __init__(self, name: TextValue = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)

    def task(
        self,
        body: TextValue,
        priority: AttrValue = None,
        timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Task:
        """Add a ``<Task>`` child and return it.

        :param body: TaskRouter task attributes
        :param priority: Task priority
        :param timeout: Timeout associated with task
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Task")
        try:
            if body is not None:
                el.text = body if type(body) is str else render_text(body)
            if priority is not None:
                el.set("priority", priority if type(priority) is str else render_attr(priority))
            if timeout is not None:
                el.set("timeout", timeout if type(timeout) is str else render_attr(timeout))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, body, {"priority": priority, "timeout": timeout}, kwargs
            ) from None
        node = _new(Task)
        node._el = el
        return node


class Task(TwiML):
    """The ``<Task>`` TwiML noun."""

    __slots__ = ()
    _tag = "Task"

    def __init__(self, body: TextValue, **kwargs: Any) -> None:
        super().__init__(body, **kwargs)


class Echo(TwiML):
    """The ``<Echo>`` TwiML verb."""

    __slots__ = ()
    _tag = "Echo"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Dial(_QueueBuilder, TwiML):
    """The ``<Dial>`` TwiML verb."""

    __slots__ = ()
    _tag = "Dial"

    def __init__(self, number: TextValue = None, **kwargs: Any) -> None:
        super().__init__(number, **kwargs)

    def client(
        self,
        identity: TextValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> Client:
        """Add a ``<Client>`` child and return it.

        :param identity: Client identity
        :param url: Client URL
        :param method: Client URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Client")
        try:
            if identity is not None:
                el.text = identity if type(identity) is str else render_text(identity)
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                identity,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(Client)
        node._el = el
        return node

    def conference(
        self,
        name: TextValue,
        muted: AttrValue = None,
        beep: AttrValue = None,
        start_conference_on_enter: AttrValue = None,
        end_conference_on_exit: AttrValue = None,
        wait_url: AttrValue = None,
        wait_method: AttrValue = None,
        max_participants: AttrValue = None,
        record: AttrValue = None,
        recording_configuration_id: AttrValue = None,
        region: AttrValue = None,
        coach: AttrValue = None,
        trim: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        event_callback_url: AttrValue = None,
        jitter_buffer_size: AttrValue = None,
        participant_label: AttrValue = None,
        **kwargs: Any,
    ) -> Conference:
        """Add a ``<Conference>`` child and return it.

        :param name: Conference name
        :param muted: Join the conference muted
        :param beep: Play beep when joining
        :param start_conference_on_enter: Start the conference on enter
        :param end_conference_on_exit: End the conferenceon exit
        :param wait_url: Wait URL
        :param wait_method: Wait URL method
        :param max_participants: Maximum number of participants
        :param record: Record the conference
        :param recording_configuration_id: Configuration for the recording
        :param region: Conference region
        :param coach: Call coach
        :param trim: Trim the conference recording
        :param status_callback_event: Events to call status callback URL
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param recording_status_callback: Recording status callback URL
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param event_callback_url: Event callback URL
        :param jitter_buffer_size: Size of jitter buffer for participant
        :param participant_label: A label for participant
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Conference")
        try:
            if name is not None:
                el.text = name if type(name) is str else render_text(name)
            if muted is not None:
                el.set("muted", muted if type(muted) is str else render_attr(muted))
            if beep is not None:
                el.set("beep", beep if type(beep) is str else render_attr(beep))
            if start_conference_on_enter is not None:
                el.set(
                    "startConferenceOnEnter",
                    start_conference_on_enter
                    if type(start_conference_on_enter) is str
                    else render_attr(start_conference_on_enter),
                )
            if end_conference_on_exit is not None:
                el.set(
                    "endConferenceOnExit",
                    end_conference_on_exit
                    if type(end_conference_on_exit) is str
                    else render_attr(end_conference_on_exit),
                )
            if wait_url is not None:
                el.set("waitUrl", wait_url if type(wait_url) is str else render_attr(wait_url))
            if wait_method is not None:
                el.set(
                    "waitMethod",
                    wait_method if type(wait_method) is str else render_attr(wait_method),
                )
            if max_participants is not None:
                el.set(
                    "maxParticipants",
                    max_participants
                    if type(max_participants) is str
                    else render_attr(max_participants),
                )
            if record is not None:
                el.set("record", record if type(record) is str else render_attr(record))
            if recording_configuration_id is not None:
                el.set(
                    "recordingConfigurationId",
                    recording_configuration_id
                    if type(recording_configuration_id) is str
                    else render_attr(recording_configuration_id),
                )
            if region is not None:
                el.set("region", region if type(region) is str else render_attr(region))
            if coach is not None:
                el.set("coach", coach if type(coach) is str else render_attr(coach))
            if trim is not None:
                el.set("trim", trim if type(trim) is str else render_attr(trim))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if recording_status_callback is not None:
                el.set(
                    "recordingStatusCallback",
                    recording_status_callback
                    if type(recording_status_callback) is str
                    else render_attr(recording_status_callback),
                )
            if recording_status_callback_method is not None:
                el.set(
                    "recordingStatusCallbackMethod",
                    recording_status_callback_method
                    if type(recording_status_callback_method) is str
                    else render_attr(recording_status_callback_method),
                )
            if recording_status_callback_event is not None:
                el.set(
                    "recordingStatusCallbackEvent",
                    recording_status_callback_event
                    if type(recording_status_callback_event) is str
                    else render_attr(recording_status_callback_event),
                )
            if event_callback_url is not None:
                el.set(
                    "eventCallbackUrl",
                    event_callback_url
                    if type(event_callback_url) is str
                    else render_attr(event_callback_url),
                )
            if jitter_buffer_size is not None:
                el.set(
                    "jitterBufferSize",
                    jitter_buffer_size
                    if type(jitter_buffer_size) is str
                    else render_attr(jitter_buffer_size),
                )
            if participant_label is not None:
                el.set(
                    "participantLabel",
                    participant_label
                    if type(participant_label) is str
                    else render_attr(participant_label),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                name,
                {
                    "muted": muted,
                    "beep": beep,
                    "startConferenceOnEnter": start_conference_on_enter,
                    "endConferenceOnExit": end_conference_on_exit,
                    "waitUrl": wait_url,
                    "waitMethod": wait_method,
                    "maxParticipants": max_participants,
                    "record": record,
                    "recordingConfigurationId": recording_configuration_id,
                    "region": region,
                    "coach": coach,
                    "trim": trim,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "eventCallbackUrl": event_callback_url,
                    "jitterBufferSize": jitter_buffer_size,
                    "participantLabel": participant_label,
                },
                kwargs,
            ) from None
        node = _new(Conference)
        node._el = el
        return node

    def number(
        self,
        phone_number: TextValue,
        send_digits: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        byoc: AttrValue = None,
        machine_detection: AttrValue = None,
        amd_status_callback_method: AttrValue = None,
        amd_status_callback: AttrValue = None,
        machine_detection_timeout: AttrValue = None,
        machine_detection_speech_threshold: AttrValue = None,
        machine_detection_speech_end_threshold: AttrValue = None,
        machine_detection_silence_timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Number:
        """Add a ``<Number>`` child and return it.

        :param phone_number: Phone Number to dial
        :param send_digits: DTMF tones to play when the call is answered
        :param url: TwiML URL
        :param method: TwiML URL method
        :param status_callback_event: Events to call status callback
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param byoc: BYOC trunk SID (Beta)
        :param machine_detection: Enable machine detection or end of greeting detection
        :param amd_status_callback_method: HTTP Method to use with amd_status_callback
        :param amd_status_callback: The URL we should call to send amd status information to your
            application
        :param machine_detection_timeout: Number of seconds to wait for machine detection
        :param machine_detection_speech_threshold: Number of milliseconds for measuring stick for
            the length of the speech activity
        :param machine_detection_speech_end_threshold: Number of milliseconds of silence after
            speech activity
        :param machine_detection_silence_timeout: Number of milliseconds of initial silence
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Number")
        try:
            if phone_number is not None:
                el.text = phone_number if type(phone_number) is str else render_text(phone_number)
            if send_digits is not None:
                el.set(
                    "sendDigits",
                    send_digits if type(send_digits) is str else render_attr(send_digits),
                )
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if byoc is not None:
                el.set("byoc", byoc if type(byoc) is str else render_attr(byoc))
            if machine_detection is not None:
                el.set(
                    "machineDetection",
                    machine_detection
                    if type(machine_detection) is str
                    else render_attr(machine_detection),
                )
            if amd_status_callback_method is not None:
                el.set(
                    "amdStatusCallbackMethod",
                    amd_status_callback_method
                    if type(amd_status_callback_method) is str
                    else render_attr(amd_status_callback_method),
                )
            if amd_status_callback is not None:
                el.set(
                    "amdStatusCallback",
                    amd_status_callback
                    if type(amd_status_callback) is str
                    else render_attr(amd_status_callback),
                )
            if machine_detection_timeout is not None:
                el.set(
                    "machineDetectionTimeout",
                    machine_detection_timeout
                    if type(machine_detection_timeout) is str
                    else render_attr(machine_detection_timeout),
                )
            if machine_detection_speech_threshold is not None:
                el.set(
                    "machineDetectionSpeechThreshold",
                    machine_detection_speech_threshold
                    if type(machine_detection_speech_threshold) is str
                    else render_attr(machine_detection_speech_threshold),
                )
            if machine_detection_speech_end_threshold is not None:
                el.set(
                    "machineDetectionSpeechEndThreshold",
                    machine_detection_speech_end_threshold
                    if type(machine_detection_speech_end_threshold) is str
                    else render_attr(machine_detection_speech_end_threshold),
                )
            if machine_detection_silence_timeout is not None:
                el.set(
                    "machineDetectionSilenceTimeout",
                    machine_detection_silence_timeout
                    if type(machine_detection_silence_timeout) is str
                    else render_attr(machine_detection_silence_timeout),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                phone_number,
                {
                    "sendDigits": send_digits,
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "byoc": byoc,
                    "machineDetection": machine_detection,
                    "amdStatusCallbackMethod": amd_status_callback_method,
                    "amdStatusCallback": amd_status_callback,
                    "machineDetectionTimeout": machine_detection_timeout,
                    "machineDetectionSpeechThreshold": machine_detection_speech_threshold,
                    "machineDetectionSpeechEndThreshold": machine_detection_speech_end_threshold,
                    "machineDetectionSilenceTimeout": machine_detection_silence_timeout,
                },
                kwargs,
            ) from None
        node = _new(Number)
        node._el = el
        return node

    def sim(
        self,
        sim_sid: TextValue,
        **kwargs: Any,
    ) -> Sim:
        """Add a ``<Sim>`` child and return it.

        :param sim_sid: SIM SID
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Sim")
        try:
            if sim_sid is not None:
                el.text = sim_sid if type(sim_sid) is str else render_text(sim_sid)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, sim_sid, {}, kwargs) from None
        node = _new(Sim)
        node._el = el
        return node

    def sip(
        self,
        sip_url: TextValue = None,
        username: AttrValue = None,
        password: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        machine_detection: AttrValue = None,
        amd_status_callback_method: AttrValue = None,
        amd_status_callback: AttrValue = None,
        machine_detection_timeout: AttrValue = None,
        machine_detection_speech_threshold: AttrValue = None,
        machine_detection_speech_end_threshold: AttrValue = None,
        machine_detection_silence_timeout: AttrValue = None,
        **kwargs: Any,
    ) -> Sip:
        """Add a ``<Sip>`` child and return it.

        :param sip_url: SIP URL
        :param username: SIP Username
        :param password: SIP Password
        :param url: Action URL
        :param method: Action URL method
        :param status_callback_event: Status callback events
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param machine_detection: Enable machine detection or end of greeting detection
        :param amd_status_callback_method: HTTP Method to use with amd_status_callback
        :param amd_status_callback: The URL we should call to send amd status information to your
            application
        :param machine_detection_timeout: Number of seconds to wait for machine detection
        :param machine_detection_speech_threshold: Number of milliseconds for measuring stick for
            the length of the speech activity
        :param machine_detection_speech_end_threshold: Number of milliseconds of silence after
            speech activity
        :param machine_detection_silence_timeout: Number of milliseconds of initial silence
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Sip")
        try:
            if sip_url is not None:
                el.text = sip_url if type(sip_url) is str else render_text(sip_url)
            if username is not None:
                el.set("username", username if type(username) is str else render_attr(username))
            if password is not None:
                el.set("password", password if type(password) is str else render_attr(password))
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if machine_detection is not None:
                el.set(
                    "machineDetection",
                    machine_detection
                    if type(machine_detection) is str
                    else render_attr(machine_detection),
                )
            if amd_status_callback_method is not None:
                el.set(
                    "amdStatusCallbackMethod",
                    amd_status_callback_method
                    if type(amd_status_callback_method) is str
                    else render_attr(amd_status_callback_method),
                )
            if amd_status_callback is not None:
                el.set(
                    "amdStatusCallback",
                    amd_status_callback
                    if type(amd_status_callback) is str
                    else render_attr(amd_status_callback),
                )
            if machine_detection_timeout is not None:
                el.set(
                    "machineDetectionTimeout",
                    machine_detection_timeout
                    if type(machine_detection_timeout) is str
                    else render_attr(machine_detection_timeout),
                )
            if machine_detection_speech_threshold is not None:
                el.set(
                    "machineDetectionSpeechThreshold",
                    machine_detection_speech_threshold
                    if type(machine_detection_speech_threshold) is str
                    else render_attr(machine_detection_speech_threshold),
                )
            if machine_detection_speech_end_threshold is not None:
                el.set(
                    "machineDetectionSpeechEndThreshold",
                    machine_detection_speech_end_threshold
                    if type(machine_detection_speech_end_threshold) is str
                    else render_attr(machine_detection_speech_end_threshold),
                )
            if machine_detection_silence_timeout is not None:
                el.set(
                    "machineDetectionSilenceTimeout",
                    machine_detection_silence_timeout
                    if type(machine_detection_silence_timeout) is str
                    else render_attr(machine_detection_silence_timeout),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                sip_url,
                {
                    "username": username,
                    "password": password,
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "machineDetection": machine_detection,
                    "amdStatusCallbackMethod": amd_status_callback_method,
                    "amdStatusCallback": amd_status_callback,
                    "machineDetectionTimeout": machine_detection_timeout,
                    "machineDetectionSpeechThreshold": machine_detection_speech_threshold,
                    "machineDetectionSpeechEndThreshold": machine_detection_speech_end_threshold,
                    "machineDetectionSilenceTimeout": machine_detection_silence_timeout,
                },
                kwargs,
            ) from None
        node = _new(Sip)
        node._el = el
        return node

    def application(
        self,
        application_sid: TextValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        customer_id: AttrValue = None,
        copy_parent_to: AttrValue = None,
        **kwargs: Any,
    ) -> Application:
        """Add a ``<Application>`` child and return it.

        :param application_sid: Application sid
        :param url: TwiML URL
        :param method: TwiML URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param customer_id: Identity of the customer calling application
        :param copy_parent_to: Copy parent call To field to called application side, otherwise use
            the application sid as To field
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Application")
        try:
            if application_sid is not None:
                el.text = (
                    application_sid
                    if type(application_sid) is str
                    else render_text(application_sid)
                )
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if customer_id is not None:
                el.set(
                    "customerId",
                    customer_id if type(customer_id) is str else render_attr(customer_id),
                )
            if copy_parent_to is not None:
                el.set(
                    "copyParentTo",
                    copy_parent_to if type(copy_parent_to) is str else render_attr(copy_parent_to),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                application_sid,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "customerId": customer_id,
                    "copyParentTo": copy_parent_to,
                },
                kwargs,
            ) from None
        node = _new(Application)
        node._el = el
        return node

    def whats_app(
        self,
        phone_number: TextValue,
        url: AttrValue = None,
        method: AttrValue = None,
        status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> WhatsApp:
        """Add a ``<WhatsApp>`` child and return it.

        :param phone_number: WhatsApp Phone Number to dial
        :param url: TwiML URL
        :param method: TwiML URL Method
        :param status_callback_event: Events to trigger status callback
        :param status_callback: Status Callback URL
        :param status_callback_method: Status Callback URL Method
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "WhatsApp")
        try:
            if phone_number is not None:
                el.text = phone_number if type(phone_number) is str else render_text(phone_number)
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                phone_number,
                {
                    "url": url,
                    "method": method,
                    "statusCallbackEvent": status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(WhatsApp)
        node._el = el
        return node


class WhatsApp(TwiML):
    """The ``<WhatsApp>`` TwiML noun."""

    __slots__ = ()
    _tag = "WhatsApp"

    def __init__(self, phone_number: TextValue, **kwargs: Any) -> None:
        super().__init__(phone_number, **kwargs)


class Application(_ParameterBuilder, TwiML):
    """The ``<Application>`` TwiML noun."""

    __slots__ = ()
    _tag = "Application"

    def __init__(self, application_sid: TextValue = None, **kwargs: Any) -> None:
        super().__init__(application_sid, **kwargs)

    def application_sid(
        self,
        sid: TextValue,
        **kwargs: Any,
    ) -> ApplicationSid:
        """Add a ``<ApplicationSid>`` child and return it.

        :param sid: Application sid to dial
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "ApplicationSid")
        try:
            if sid is not None:
                el.text = sid if type(sid) is str else render_text(sid)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, sid, {}, kwargs) from None
        node = _new(ApplicationSid)
        node._el = el
        return node


class ApplicationSid(TwiML):
    """The ``<ApplicationSid>`` TwiML noun."""

    __slots__ = ()
    _tag = "ApplicationSid"

    def __init__(self, sid: TextValue, **kwargs: Any) -> None:
        super().__init__(sid, **kwargs)


class Sip(TwiML):
    """The ``<Sip>`` TwiML noun."""

    __slots__ = ()
    _tag = "Sip"

    def __init__(self, sip_url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)

    def uri(
        self,
        sip_url: TextValue = None,
        priority: AttrValue = None,
        weight: AttrValue = None,
        username: AttrValue = None,
        password: AttrValue = None,
        **kwargs: Any,
    ) -> SipUri:
        """Add a ``<Uri>`` child and return it.

        :param sip_url: The SIP URI
        :param priority: The priority of this SIP URI
        :param weight: The weight of this SIP URI
        :param username: The username for authentication
        :param password: The password for authentication
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Uri")
        try:
            if sip_url is not None:
                el.text = sip_url if type(sip_url) is str else render_text(sip_url)
            if priority is not None:
                el.set("priority", priority if type(priority) is str else render_attr(priority))
            if weight is not None:
                el.set("weight", weight if type(weight) is str else render_attr(weight))
            if username is not None:
                el.set("username", username if type(username) is str else render_attr(username))
            if password is not None:
                el.set("password", password if type(password) is str else render_attr(password))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                sip_url,
                {
                    "priority": priority,
                    "weight": weight,
                    "username": username,
                    "password": password,
                },
                kwargs,
            ) from None
        node = _new(SipUri)
        node._el = el
        return node

    def headers(
        self,
        **kwargs: Any,
    ) -> Headers:
        """Add a ``<Headers>`` child and return it.

        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Headers")
        try:
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {}, kwargs) from None
        node = _new(Headers)
        node._el = el
        return node


class Headers(TwiML):
    """The ``<Headers>`` TwiML element."""

    __slots__ = ()
    _tag = "Headers"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def header(
        self,
        name: AttrValue = None,
        value: AttrValue = None,
        **kwargs: Any,
    ) -> Header:
        """Add a ``<Header>`` child and return it.

        :param name: The name of the custom header
        :param value: The value of the custom header
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Header")
        try:
            if name is not None:
                el.set("name", name if type(name) is str else render_attr(name))
            if value is not None:
                el.set("value", value if type(value) is str else render_attr(value))
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, None, {"name": name, "value": value}, kwargs) from None
        node = _new(Header)
        node._el = el
        return node


class Header(TwiML):
    """The ``<Header>`` TwiML element."""

    __slots__ = ()
    _tag = "Header"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class SipUri(TwiML):
    """The ``<Uri>`` TwiML element."""

    __slots__ = ()
    _tag = "Uri"

    def __init__(self, sip_url: TextValue = None, **kwargs: Any) -> None:
        super().__init__(sip_url, **kwargs)


class Sim(TwiML):
    """The ``<Sim>`` TwiML noun."""

    __slots__ = ()
    _tag = "Sim"

    def __init__(self, sim_sid: TextValue, **kwargs: Any) -> None:
        super().__init__(sim_sid, **kwargs)


class Number(TwiML):
    """The ``<Number>`` TwiML noun."""

    __slots__ = ()
    _tag = "Number"

    def __init__(self, phone_number: TextValue, **kwargs: Any) -> None:
        super().__init__(phone_number, **kwargs)


class Conference(TwiML):
    """The ``<Conference>`` TwiML noun."""

    __slots__ = ()
    _tag = "Conference"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Client(_ParameterBuilder, TwiML):
    """The ``<Client>`` TwiML noun."""

    __slots__ = ()
    _tag = "Client"

    def __init__(self, identity: TextValue = None, **kwargs: Any) -> None:
        super().__init__(identity, **kwargs)

    def identity(
        self,
        client_identity: TextValue,
        **kwargs: Any,
    ) -> Identity:
        """Add a ``<Identity>`` child and return it.

        :param client_identity: Identity of the client to dial
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Identity")
        try:
            if client_identity is not None:
                el.text = (
                    client_identity
                    if type(client_identity) is str
                    else render_text(client_identity)
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, client_identity, {}, kwargs) from None
        node = _new(Identity)
        node._el = el
        return node


class Identity(TwiML):
    """The ``<Identity>`` TwiML noun."""

    __slots__ = ()
    _tag = "Identity"

    def __init__(self, client_identity: TextValue, **kwargs: Any) -> None:
        super().__init__(client_identity, **kwargs)


class Connect(_StreamBuilder, TwiML):
    """The ``<Connect>`` TwiML verb."""

    __slots__ = ()
    _tag = "Connect"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def room(
        self,
        name: TextValue,
        participant_identity: AttrValue = None,
        **kwargs: Any,
    ) -> Room:
        """Add a ``<Room>`` child and return it.

        :param name: Room name
        :param participant_identity: Participant identity when connecting to the Room
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Room")
        try:
            if name is not None:
                el.text = name if type(name) is str else render_text(name)
            if participant_identity is not None:
                el.set(
                    "participantIdentity",
                    participant_identity
                    if type(participant_identity) is str
                    else render_attr(participant_identity),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el, el, exc, name, {"participantIdentity": participant_identity}, kwargs
            ) from None
        node = _new(Room)
        node._el = el
        return node

    def autopilot(
        self,
        name: TextValue,
        **kwargs: Any,
    ) -> Autopilot:
        """Add a ``<Autopilot>`` child and return it.

        :param name: Autopilot assistant sid or unique name
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Autopilot")
        try:
            if name is not None:
                el.text = name if type(name) is str else render_text(name)
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(self._el, el, exc, name, {}, kwargs) from None
        node = _new(Autopilot)
        node._el = el
        return node

    def virtual_agent(
        self,
        connector_name: AttrValue = None,
        language: AttrValue = None,
        sentiment_analysis: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        **kwargs: Any,
    ) -> VirtualAgent:
        """Add a ``<VirtualAgent>`` child and return it.

        :param connector_name: Defines the conversation profile Dialogflow needs to use
        :param language: Language to be used by Dialogflow to transcribe speech
        :param sentiment_analysis: Whether sentiment analysis needs to be enabled or not
        :param status_callback: URL to post status callbacks from Twilio
        :param status_callback_method: HTTP method to use when requesting the status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "VirtualAgent")
        try:
            if connector_name is not None:
                el.set(
                    "connectorName",
                    connector_name if type(connector_name) is str else render_attr(connector_name),
                )
            if language is not None:
                el.set("language", language if type(language) is str else render_attr(language))
            if sentiment_analysis is not None:
                el.set(
                    "sentimentAnalysis",
                    sentiment_analysis
                    if type(sentiment_analysis) is str
                    else render_attr(sentiment_analysis),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "connectorName": connector_name,
                    "language": language,
                    "sentimentAnalysis": sentiment_analysis,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                },
                kwargs,
            ) from None
        node = _new(VirtualAgent)
        node._el = el
        return node

    def conversation(
        self,
        service_instance_sid: AttrValue = None,
        inbound_autocreation: AttrValue = None,
        routing_assignment_timeout: AttrValue = None,
        inbound_timeout: AttrValue = None,
        url: AttrValue = None,
        method: AttrValue = None,
        record: AttrValue = None,
        trim: AttrValue = None,
        recording_status_callback: AttrValue = None,
        recording_status_callback_method: AttrValue = None,
        recording_status_callback_event: AttrValue = None,
        status_callback: AttrValue = None,
        status_callback_method: AttrValue = None,
        status_callback_event: AttrValue = None,
        **kwargs: Any,
    ) -> Conversation:
        """Add a ``<Conversation>`` child and return it.

        :param service_instance_sid: Service instance Sid
        :param inbound_autocreation: Inbound autocreation
        :param routing_assignment_timeout: Routing assignment timeout
        :param inbound_timeout: Inbound timeout
        :param url: TwiML URL
        :param method: TwiML URL method
        :param record: Record
        :param trim: Trim
        :param recording_status_callback: Recording status callback URL
        :param recording_status_callback_method: Recording status callback URL method
        :param recording_status_callback_event: Recording status callback events
        :param status_callback: Status callback URL
        :param status_callback_method: Status callback URL method
        :param status_callback_event: Events to call status callback URL
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Conversation")
        try:
            if service_instance_sid is not None:
                el.set(
                    "serviceInstanceSid",
                    service_instance_sid
                    if type(service_instance_sid) is str
                    else render_attr(service_instance_sid),
                )
            if inbound_autocreation is not None:
                el.set(
                    "inboundAutocreation",
                    inbound_autocreation
                    if type(inbound_autocreation) is str
                    else render_attr(inbound_autocreation),
                )
            if routing_assignment_timeout is not None:
                el.set(
                    "routingAssignmentTimeout",
                    routing_assignment_timeout
                    if type(routing_assignment_timeout) is str
                    else render_attr(routing_assignment_timeout),
                )
            if inbound_timeout is not None:
                el.set(
                    "inboundTimeout",
                    inbound_timeout
                    if type(inbound_timeout) is str
                    else render_attr(inbound_timeout),
                )
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if method is not None:
                el.set("method", method if type(method) is str else render_attr(method))
            if record is not None:
                el.set("record", record if type(record) is str else render_attr(record))
            if trim is not None:
                el.set("trim", trim if type(trim) is str else render_attr(trim))
            if recording_status_callback is not None:
                el.set(
                    "recordingStatusCallback",
                    recording_status_callback
                    if type(recording_status_callback) is str
                    else render_attr(recording_status_callback),
                )
            if recording_status_callback_method is not None:
                el.set(
                    "recordingStatusCallbackMethod",
                    recording_status_callback_method
                    if type(recording_status_callback_method) is str
                    else render_attr(recording_status_callback_method),
                )
            if recording_status_callback_event is not None:
                el.set(
                    "recordingStatusCallbackEvent",
                    recording_status_callback_event
                    if type(recording_status_callback_event) is str
                    else render_attr(recording_status_callback_event),
                )
            if status_callback is not None:
                el.set(
                    "statusCallback",
                    status_callback
                    if type(status_callback) is str
                    else render_attr(status_callback),
                )
            if status_callback_method is not None:
                el.set(
                    "statusCallbackMethod",
                    status_callback_method
                    if type(status_callback_method) is str
                    else render_attr(status_callback_method),
                )
            if status_callback_event is not None:
                el.set(
                    "statusCallbackEvent",
                    status_callback_event
                    if type(status_callback_event) is str
                    else render_attr(status_callback_event),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "serviceInstanceSid": service_instance_sid,
                    "inboundAutocreation": inbound_autocreation,
                    "routingAssignmentTimeout": routing_assignment_timeout,
                    "inboundTimeout": inbound_timeout,
                    "url": url,
                    "method": method,
                    "record": record,
                    "trim": trim,
                    "recordingStatusCallback": recording_status_callback,
                    "recordingStatusCallbackMethod": recording_status_callback_method,
                    "recordingStatusCallbackEvent": recording_status_callback_event,
                    "statusCallback": status_callback,
                    "statusCallbackMethod": status_callback_method,
                    "statusCallbackEvent": status_callback_event,
                },
                kwargs,
            ) from None
        node = _new(Conversation)
        node._el = el
        return node

    def conversation_relay(
        self,
        url: AttrValue = None,
        language: AttrValue = None,
        tts_language: AttrValue = None,
        transcription_language: AttrValue = None,
        tts_provider: AttrValue = None,
        voice: AttrValue = None,
        transcription_provider: AttrValue = None,
        speech_model: AttrValue = None,
        profanity_filter: AttrValue = None,
        dtmf_detection: AttrValue = None,
        welcome_greeting: AttrValue = None,
        partial_prompts: AttrValue = None,
        welcome_greeting_interruptible: AttrValue = None,
        interruptible: AttrValue = None,
        preemptible: AttrValue = None,
        hints: AttrValue = None,
        intelligence_service: AttrValue = None,
        report_input_during_agent_speech: AttrValue = None,
        elevenlabs_text_normalization: AttrValue = None,
        interrupt_sensitivity: AttrValue = None,
        debug: AttrValue = None,
        backgroundNoiseReduction: AttrValue = None,
        speechTimeout: AttrValue = None,
        deepgramSmartFormat: AttrValue = None,
        ignoreBackchannel: AttrValue = None,
        events: AttrValue = None,
        partial_prompt_on_hangup: AttrValue = None,
        eager_eot_threshold: AttrValue = None,
        asr_smart_format: AttrValue = None,
        tts_text_normalization: AttrValue = None,
        tts_language_text_normalization: AttrValue = None,
        elevenlabs_language_text_normalization: AttrValue = None,
        include_in_prompt: AttrValue = None,
        customer_name: AttrValue = None,
        application_reconnect: AttrValue = None,
        echo_prompt_filtering: AttrValue = None,
        turn_detection: AttrValue = None,
        **kwargs: Any,
    ) -> ConversationRelay:
        """Add a ``<ConversationRelay>`` child and return it.

        :param url: URL of the remote service where the session is connected to
        :param language: Language to be used for both text-to-speech and transcription
        :param tts_language: Language to be used for text-to-speech
        :param transcription_language: Language to be used for transcription
        :param tts_provider: Provider to be used for text-to-speech
        :param voice: Voice to be used for text-to-speech
        :param transcription_provider: Provider to be used for transcription
        :param speech_model: Speech model to be used for transcription
        :param profanity_filter: Whether profanities should be filtered out of the speech
            transcription
        :param dtmf_detection: Whether DTMF tones should be detected and reported in speech
            transcription
        :param welcome_greeting: The sentence to be played automatically when the session is
            connected
        :param partial_prompts: Whether partial prompts should be reported to WebSocket server
            before the caller finishes speaking
        :param welcome_greeting_interruptible: "Whether and how the input from a caller, such as
            speaking or DTMF can interrupt the welcome greeting
        :param interruptible: Whether and how the input from a caller, such as speaking or DTMF can
            interrupt the play of text-to-speech
        :param preemptible: Whether subsequent text-to-speech or play media can interrupt the on-
            going play of text-to-speech or media
        :param hints: Phrases to help better accuracy in speech recognition of these pharases
        :param intelligence_service: The Conversational Intelligence Service id or unique name to be
            used for the session
        :param report_input_during_agent_speech: Whether prompts should be reported to WebSocket
            server when text-to-speech playing and interrupt is disabled
        :param elevenlabs_text_normalization: When using ElevenLabs as TTS provider, this parameter
            allows you to enable or disable its text normalization feature
        :param interrupt_sensitivity: Set the sensitivity of the interrupt feature for speech. The
            value can be low, medium, or high
        :param debug: Multiple debug options to be used for troubleshooting
        :param backgroundNoiseReduction: This parameters enables background noise filtering on the
            audio stream before it reaches the STT engine, improving transcription accuracy in noisy
            environments
        :param speechTimeout: Set the duration of silence that indicates the end of speech
        :param deepgramSmartFormat: This parameter enables Deepgram's smart formatting feature,
            which automatically applies punctuation, capitalization, and formatting (e.g. numbers,
            dates, currency) to transcripts
        :param ignoreBackchannel: This parameter brief caller acknowledgments (e.g. "yeah", "uh-
            huh") are ignored and will not interrupt the agent while it is speaking.
        :param events: This parameter allows you to enable event subscriptions
        :param partial_prompt_on_hangup: Whether the in-progress partial transcript should be
            reported as a prompt when the call hangs up
        :param eager_eot_threshold: Eager end-of-turn confidence threshold, which fires before the
            end-of-turn threshold. The value can be between 0.3 and 0.9
        :param asr_smart_format: Whether smart formatting should be applied to transcripts. Takes
            precedence over deepgramSmartFormat
        :param tts_text_normalization: Text normalization for text-to-speech. The value can be auto,
            on, or off. Takes precedence over elevenlabsTextNormalization
        :param tts_language_text_normalization: Whether language-specific text normalization should
            be applied for text-to-speech
        :param elevenlabs_language_text_normalization: Legacy alias of ttsLanguageTextNormalization
        :param include_in_prompt: Extra fields to be included in prompt messages. The value can be
            turn-state or prompt-segments
        :param customer_name: Customer name sent to Conversations and Conversational Intelligence.
            Defaults to the caller ID
        :param application_reconnect: Whether the WebSocket connection to the application should be
            reconnected if it drops during the call. Defaults to false
        :param echo_prompt_filtering: Whether transcripts that echo the agent's own text-to-speech
            should be dropped. Defaults to false
        :param turn_detection: Whether turn detection should be used to decide when the caller has
            finished speaking. Defaults to false
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "ConversationRelay")
        try:
            if url is not None:
                el.set("url", url if type(url) is str else render_attr(url))
            if language is not None:
                el.set("language", language if type(language) is str else render_attr(language))
            if tts_language is not None:
                el.set(
                    "ttsLanguage",
                    tts_language if type(tts_language) is str else render_attr(tts_language),
                )
            if transcription_language is not None:
                el.set(
                    "transcriptionLanguage",
                    transcription_language
                    if type(transcription_language) is str
                    else render_attr(transcription_language),
                )
            if tts_provider is not None:
                el.set(
                    "ttsProvider",
                    tts_provider if type(tts_provider) is str else render_attr(tts_provider),
                )
            if voice is not None:
                el.set("voice", voice if type(voice) is str else render_attr(voice))
            if transcription_provider is not None:
                el.set(
                    "transcriptionProvider",
                    transcription_provider
                    if type(transcription_provider) is str
                    else render_attr(transcription_provider),
                )
            if speech_model is not None:
                el.set(
                    "speechModel",
                    speech_model if type(speech_model) is str else render_attr(speech_model),
                )
            if profanity_filter is not None:
                el.set(
                    "profanityFilter",
                    profanity_filter
                    if type(profanity_filter) is str
                    else render_attr(profanity_filter),
                )
            if dtmf_detection is not None:
                el.set(
                    "dtmfDetection",
                    dtmf_detection if type(dtmf_detection) is str else render_attr(dtmf_detection),
                )
            if welcome_greeting is not None:
                el.set(
                    "welcomeGreeting",
                    welcome_greeting
                    if type(welcome_greeting) is str
                    else render_attr(welcome_greeting),
                )
            if partial_prompts is not None:
                el.set(
                    "partialPrompts",
                    partial_prompts
                    if type(partial_prompts) is str
                    else render_attr(partial_prompts),
                )
            if welcome_greeting_interruptible is not None:
                el.set(
                    "welcomeGreetingInterruptible",
                    welcome_greeting_interruptible
                    if type(welcome_greeting_interruptible) is str
                    else render_attr(welcome_greeting_interruptible),
                )
            if interruptible is not None:
                el.set(
                    "interruptible",
                    interruptible if type(interruptible) is str else render_attr(interruptible),
                )
            if preemptible is not None:
                el.set(
                    "preemptible",
                    preemptible if type(preemptible) is str else render_attr(preemptible),
                )
            if hints is not None:
                el.set("hints", hints if type(hints) is str else render_attr(hints, "hints"))
            if intelligence_service is not None:
                el.set(
                    "intelligenceService",
                    intelligence_service
                    if type(intelligence_service) is str
                    else render_attr(intelligence_service),
                )
            if report_input_during_agent_speech is not None:
                el.set(
                    "reportInputDuringAgentSpeech",
                    report_input_during_agent_speech
                    if type(report_input_during_agent_speech) is str
                    else render_attr(report_input_during_agent_speech),
                )
            if elevenlabs_text_normalization is not None:
                el.set(
                    "elevenlabsTextNormalization",
                    elevenlabs_text_normalization
                    if type(elevenlabs_text_normalization) is str
                    else render_attr(elevenlabs_text_normalization),
                )
            if interrupt_sensitivity is not None:
                el.set(
                    "interruptSensitivity",
                    interrupt_sensitivity
                    if type(interrupt_sensitivity) is str
                    else render_attr(interrupt_sensitivity),
                )
            if debug is not None:
                el.set("debug", debug if type(debug) is str else render_attr(debug))
            if backgroundNoiseReduction is not None:
                el.set(
                    "backgroundNoiseReduction",
                    backgroundNoiseReduction
                    if type(backgroundNoiseReduction) is str
                    else render_attr(backgroundNoiseReduction),
                )
            if speechTimeout is not None:
                el.set(
                    "speechTimeout",
                    speechTimeout if type(speechTimeout) is str else render_attr(speechTimeout),
                )
            if deepgramSmartFormat is not None:
                el.set(
                    "deepgramSmartFormat",
                    deepgramSmartFormat
                    if type(deepgramSmartFormat) is str
                    else render_attr(deepgramSmartFormat),
                )
            if ignoreBackchannel is not None:
                el.set(
                    "ignoreBackchannel",
                    ignoreBackchannel
                    if type(ignoreBackchannel) is str
                    else render_attr(ignoreBackchannel),
                )
            if events is not None:
                el.set("events", events if type(events) is str else render_attr(events))
            if partial_prompt_on_hangup is not None:
                el.set(
                    "partialPromptOnHangup",
                    partial_prompt_on_hangup
                    if type(partial_prompt_on_hangup) is str
                    else render_attr(partial_prompt_on_hangup),
                )
            if eager_eot_threshold is not None:
                el.set(
                    "eagerEotThreshold",
                    eager_eot_threshold
                    if type(eager_eot_threshold) is str
                    else render_attr(eager_eot_threshold),
                )
            if asr_smart_format is not None:
                el.set(
                    "asrSmartFormat",
                    asr_smart_format
                    if type(asr_smart_format) is str
                    else render_attr(asr_smart_format),
                )
            if tts_text_normalization is not None:
                el.set(
                    "ttsTextNormalization",
                    tts_text_normalization
                    if type(tts_text_normalization) is str
                    else render_attr(tts_text_normalization),
                )
            if tts_language_text_normalization is not None:
                el.set(
                    "ttsLanguageTextNormalization",
                    tts_language_text_normalization
                    if type(tts_language_text_normalization) is str
                    else render_attr(tts_language_text_normalization),
                )
            if elevenlabs_language_text_normalization is not None:
                el.set(
                    "elevenlabsLanguageTextNormalization",
                    elevenlabs_language_text_normalization
                    if type(elevenlabs_language_text_normalization) is str
                    else render_attr(elevenlabs_language_text_normalization),
                )
            if include_in_prompt is not None:
                el.set(
                    "includeInPrompt",
                    include_in_prompt
                    if type(include_in_prompt) is str
                    else render_attr(include_in_prompt),
                )
            if customer_name is not None:
                el.set(
                    "customerName",
                    customer_name if type(customer_name) is str else render_attr(customer_name),
                )
            if application_reconnect is not None:
                el.set(
                    "applicationReconnect",
                    application_reconnect
                    if type(application_reconnect) is str
                    else render_attr(application_reconnect),
                )
            if echo_prompt_filtering is not None:
                el.set(
                    "echoPromptFiltering",
                    echo_prompt_filtering
                    if type(echo_prompt_filtering) is str
                    else render_attr(echo_prompt_filtering),
                )
            if turn_detection is not None:
                el.set(
                    "turnDetection",
                    turn_detection if type(turn_detection) is str else render_attr(turn_detection),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "url": url,
                    "language": language,
                    "ttsLanguage": tts_language,
                    "transcriptionLanguage": transcription_language,
                    "ttsProvider": tts_provider,
                    "voice": voice,
                    "transcriptionProvider": transcription_provider,
                    "speechModel": speech_model,
                    "profanityFilter": profanity_filter,
                    "dtmfDetection": dtmf_detection,
                    "welcomeGreeting": welcome_greeting,
                    "partialPrompts": partial_prompts,
                    "welcomeGreetingInterruptible": welcome_greeting_interruptible,
                    "interruptible": interruptible,
                    "preemptible": preemptible,
                    "hints": hints,
                    "intelligenceService": intelligence_service,
                    "reportInputDuringAgentSpeech": report_input_during_agent_speech,
                    "elevenlabsTextNormalization": elevenlabs_text_normalization,
                    "interruptSensitivity": interrupt_sensitivity,
                    "debug": debug,
                    "backgroundNoiseReduction": backgroundNoiseReduction,
                    "speechTimeout": speechTimeout,
                    "deepgramSmartFormat": deepgramSmartFormat,
                    "ignoreBackchannel": ignoreBackchannel,
                    "events": events,
                    "partialPromptOnHangup": partial_prompt_on_hangup,
                    "eagerEotThreshold": eager_eot_threshold,
                    "asrSmartFormat": asr_smart_format,
                    "ttsTextNormalization": tts_text_normalization,
                    "ttsLanguageTextNormalization": tts_language_text_normalization,
                    "elevenlabsLanguageTextNormalization": elevenlabs_language_text_normalization,
                    "includeInPrompt": include_in_prompt,
                    "customerName": customer_name,
                    "applicationReconnect": application_reconnect,
                    "echoPromptFiltering": echo_prompt_filtering,
                    "turnDetection": turn_detection,
                },
                kwargs,
            ) from None
        node = _new(ConversationRelay)
        node._el = el
        return node

    def ai_session(
        self,
        ai_connector: AttrValue = None,
        ai_session_configuration: AttrValue = None,
        **kwargs: Any,
    ) -> AiSession:
        """Add a ``<AiSession>`` child and return it.

        :param ai_connector: The unique name or installed add-on sid that identifies the installed
            addon resource for the AI Connector
        :param ai_session_configuration: The unique name or id of the AiSession Configuration
            resource.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "AiSession")
        try:
            if ai_connector is not None:
                el.set(
                    "aiConnector",
                    ai_connector if type(ai_connector) is str else render_attr(ai_connector),
                )
            if ai_session_configuration is not None:
                el.set(
                    "aiSessionConfiguration",
                    ai_session_configuration
                    if type(ai_session_configuration) is str
                    else render_attr(ai_session_configuration),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {"aiConnector": ai_connector, "aiSessionConfiguration": ai_session_configuration},
                kwargs,
            ) from None
        node = _new(AiSession)
        node._el = el
        return node

    def conversation_relay_session(
        self,
        connector: AttrValue = None,
        session_configuration: AttrValue = None,
        **kwargs: Any,
    ) -> ConversationRelaySession:
        """Add a ``<ConversationRelaySession>`` child and return it.

        :param connector: The unique name or installed add-on sid that identifies the installed
            addon resource for the ConversationRelaySession Connector
        :param session_configuration: The unique name or id of the ConversationRelaySession
            Configuration resource.
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "ConversationRelaySession")
        try:
            if connector is not None:
                el.set("connector", connector if type(connector) is str else render_attr(connector))
            if session_configuration is not None:
                el.set(
                    "sessionConfiguration",
                    session_configuration
                    if type(session_configuration) is str
                    else render_attr(session_configuration),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {"connector": connector, "sessionConfiguration": session_configuration},
                kwargs,
            ) from None
        node = _new(ConversationRelaySession)
        node._el = el
        return node


class ConversationRelaySession(TwiML):
    """The ``<ConversationRelaySession>`` TwiML noun."""

    __slots__ = ()
    _tag = "ConversationRelaySession"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class AiSession(TwiML):
    """The ``<AiSession>`` TwiML noun."""

    __slots__ = ()
    _tag = "AiSession"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class ConversationRelay(_ParameterBuilder, TwiML):
    """The ``<ConversationRelay>`` TwiML noun."""

    __slots__ = ()
    _tag = "ConversationRelay"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)

    def language(
        self,
        code: AttrValue = None,
        tts_provider: AttrValue = None,
        voice: AttrValue = None,
        transcription_provider: AttrValue = None,
        speech_model: AttrValue = None,
        hints: AttrValue = None,
        asr_smart_format: AttrValue = None,
        tts_text_normalization: AttrValue = None,
        tts_language_text_normalization: AttrValue = None,
        **kwargs: Any,
    ) -> Language:
        """Add a ``<Language>`` child and return it.

        :param code: Language code of this language setting is for
        :param tts_provider: Provider to be used for text-to-speech of this language
        :param voice: Voice to be used for text-to-speech of this language
        :param transcription_provider: Provider to be used for transcription of this language
        :param speech_model: Speech model to be used for transcription of this language
        :param hints: Phrases to help better accuracy in speech recognition of this language
        :param asr_smart_format: Whether smart formatting should be applied to transcripts of this
            language
        :param tts_text_normalization: Text normalization for text-to-speech of this language. The
            value can be auto, on, or off
        :param tts_language_text_normalization: Whether language-specific text normalization should
            be applied for text-to-speech of this language
        :param kwargs: further attributes, camelCased (``foo_bar`` → ``fooBar``)
        """
        el = _SubElement(self._el, "Language")
        try:
            if code is not None:
                el.set("code", code if type(code) is str else render_attr(code))
            if tts_provider is not None:
                el.set(
                    "ttsProvider",
                    tts_provider if type(tts_provider) is str else render_attr(tts_provider),
                )
            if voice is not None:
                el.set("voice", voice if type(voice) is str else render_attr(voice))
            if transcription_provider is not None:
                el.set(
                    "transcriptionProvider",
                    transcription_provider
                    if type(transcription_provider) is str
                    else render_attr(transcription_provider),
                )
            if speech_model is not None:
                el.set(
                    "speechModel",
                    speech_model if type(speech_model) is str else render_attr(speech_model),
                )
            if hints is not None:
                el.set("hints", hints if type(hints) is str else render_attr(hints, "hints"))
            if asr_smart_format is not None:
                el.set(
                    "asrSmartFormat",
                    asr_smart_format
                    if type(asr_smart_format) is str
                    else render_attr(asr_smart_format),
                )
            if tts_text_normalization is not None:
                el.set(
                    "ttsTextNormalization",
                    tts_text_normalization
                    if type(tts_text_normalization) is str
                    else render_attr(tts_text_normalization),
                )
            if tts_language_text_normalization is not None:
                el.set(
                    "ttsLanguageTextNormalization",
                    tts_language_text_normalization
                    if type(tts_language_text_normalization) is str
                    else render_attr(tts_language_text_normalization),
                )
            if kwargs:
                set_extra(el, kwargs)
        except ValueError as exc:
            raise invalid(
                self._el,
                el,
                exc,
                None,
                {
                    "code": code,
                    "ttsProvider": tts_provider,
                    "voice": voice,
                    "transcriptionProvider": transcription_provider,
                    "speechModel": speech_model,
                    "hints": hints,
                    "asrSmartFormat": asr_smart_format,
                    "ttsTextNormalization": tts_text_normalization,
                    "ttsLanguageTextNormalization": tts_language_text_normalization,
                },
                kwargs,
            ) from None
        node = _new(Language)
        node._el = el
        return node


class Language(TwiML):
    """The ``<Language>`` TwiML noun."""

    __slots__ = ()
    _tag = "Language"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Conversation(TwiML):
    """The ``<Conversation>`` TwiML noun."""

    __slots__ = ()
    _tag = "Conversation"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class VirtualAgent(_ConfigBuilder, _ParameterBuilder, TwiML):
    """The ``<VirtualAgent>`` TwiML noun."""

    __slots__ = ()
    _tag = "VirtualAgent"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)


class Autopilot(TwiML):
    """The ``<Autopilot>`` TwiML noun."""

    __slots__ = ()
    _tag = "Autopilot"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


class Room(TwiML):
    """The ``<Room>`` TwiML noun."""

    __slots__ = ()
    _tag = "Room"

    def __init__(self, name: TextValue, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)


# Which children each element may hold (tag -> class), from its builder methods.
VoiceResponse._child_classes = {
    "Connect": Connect,
    "Dial": Dial,
    "Echo": Echo,
    "Enqueue": Enqueue,
    "Gather": Gather,
    "Hangup": Hangup,
    "Leave": Leave,
    "Pause": Pause,
    "Play": Play,
    "Queue": Queue,
    "Record": Record,
    "Redirect": Redirect,
    "Reject": Reject,
    "Say": Say,
    "Sms": Sms,
    "Pay": Pay,
    "Prompt": Prompt,
    "Start": Start,
    "Stop": Stop,
    "Refer": Refer,
}
Refer._child_classes = {"Sip": ReferSip}
Stop._child_classes = {"Stream": Stream, "Siprec": Siprec, "Transcription": Transcription}
Transcription._child_classes = {"Config": Config, "Parameter": Parameter}
Siprec._child_classes = {"Parameter": Parameter}
Stream._child_classes = {"Parameter": Parameter}
Start._child_classes = {
    "Stream": Stream,
    "Siprec": Siprec,
    "Transcription": Transcription,
    "Recording": Recording,
}
Prompt._child_classes = {"Say": Say, "Play": Play, "Pause": Pause}
Say._child_classes = {
    "break": SsmlBreak,
    "emphasis": SsmlEmphasis,
    "lang": SsmlLang,
    "p": SsmlP,
    "phoneme": SsmlPhoneme,
    "prosody": SsmlProsody,
    "s": SsmlS,
    "say-as": SsmlSayAs,
    "sub": SsmlSub,
    "w": SsmlW,
}
Pay._child_classes = {"Prompt": Prompt, "Parameter": Parameter}
Reject._child_classes = {"Parameter": Parameter}
Hangup._child_classes = {"Parameter": Parameter}
Gather._child_classes = {"Say": Say, "Pause": Pause, "Play": Play}
Enqueue._child_classes = {"Task": Task}
Dial._child_classes = {
    "Client": Client,
    "Conference": Conference,
    "Number": Number,
    "Queue": Queue,
    "Sim": Sim,
    "Sip": Sip,
    "Application": Application,
    "WhatsApp": WhatsApp,
}
Application._child_classes = {"ApplicationSid": ApplicationSid, "Parameter": Parameter}
Sip._child_classes = {"Uri": SipUri, "Headers": Headers}
Headers._child_classes = {"Header": Header}
Client._child_classes = {"Identity": Identity, "Parameter": Parameter}
Connect._child_classes = {
    "Room": Room,
    "Autopilot": Autopilot,
    "Stream": Stream,
    "VirtualAgent": VirtualAgent,
    "Conversation": Conversation,
    "ConversationRelay": ConversationRelay,
    "AiSession": AiSession,
    "ConversationRelaySession": ConversationRelaySession,
}
ConversationRelay._child_classes = {"Language": Language, "Parameter": Parameter}
VirtualAgent._child_classes = {"Config": Config, "Parameter": Parameter}
