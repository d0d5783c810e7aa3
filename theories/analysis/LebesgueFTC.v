(** * Fundamental theorem of calculus for the Lebesgue integral on Stdlib [R]

    mathcomp-analysis 0.6 has no link between derivatives and the Lebesgue
    integral.  This file proves, for the Lebesgue measure [lambda] on
    [R := real_realType] (Stdlib reals) and a continuous [f]:
    - [integral_setU_EFin]: additivity of the integral over disjoint sets
      for signed integrable functions;
    - [integrable_itv_continuous]: [f] is integrable on every [`]u, v]];
    - [ftc_is_derive]: [t |-> \int_(x in `]c, t]) f x] has derivative [f t];
    - [newton_leibniz]: [\int_(x in `]a, b]) f x = F b - F a] when [F' = f];
    - improper versions over the whole line (further below).
    It also provides the tactics [to_std]/[std_goal]/[to_std_in] that turn
    mathcomp arithmetic on [R] into Stdlib arithmetic for [lra]/[nra]. *)
From Certigrad Require Import Preamble.
From Certigrad Require Import Leibniz.
Local Open Scope classical_set_scope.
Local Open Scope ring_scope.

Notation R := real_realType.
Notation lambda := (@lebesgue_measure R).
#[local] Hint Resolve measurable_itv : core.
#[local] Hint Extern 0 (measurable [set` _]) => solve [apply: measurable_itv] : core.
#[local] Hint Extern 0 (_.-sigma.-measurable _) => solve [apply: measurable_itv] : core.

Lemma R0E : (0 : R) = R0. Proof. by []. Qed.
Lemma R1E : (1 : R) = R1. Proof. by []. Qed.
Lemma RnatE n : (n%:R : R) = INR n. Proof. by rewrite INRE. Qed.
Ltac Req_change := match goal with
  | |- @eq _ ?a ?b => change (@eq Rdefinitions.R a b) end.
Ltac to_std := rewrite -?RminusE -?RplusE -?RoppE -?RmultE -?RpowE ?RnatE ?R0E ?R1E;
  simpl INR; try Req_change.
Ltac std_goal := (try apply/RleP); (try apply/RltP); to_std.
Ltac to_std_in H := rewrite -?RminusE -?RplusE -?RoppE -?RmultE -?RpowE ?RnatE ?R0E ?R1E in H; simpl INR in H.

Section setU.
Local Open Scope ereal_scope.

Lemma integral_setU_EFin (A B : set R) (f : R -> R) :
  measurable A -> measurable B -> A `&` B = set0 ->
  lambda.-integrable (A `|` B) (EFin \o f) ->
  \int[lambda]_(x in A `|` B) (f x)%:E =
  \int[lambda]_(x in A) (f x)%:E + \int[lambda]_(x in B) (f x)%:E.
Proof.
move=> mA mB AB0 intf.
have mAB : measurable (A `|` B) by exact: measurableU.
have dAB : [disjoint A & B] by apply/eqP.
have [mf _] := intf.
have intA : lambda.-integrable A (EFin \o f) by apply: integrableS intf.
have intB : lambda.-integrable B (EFin \o f) by apply: integrableS intf.
rewrite integralE [X in _ = X + _]integralE [X in _ = _ + X]integralE.
have mfp := emeasurable_fun_funepos mf.
have mfn := emeasurable_fun_funeneg mf.
rewrite integral_setU//.
rewrite [X in _ - X]integral_setU//.
have hA1 := @integrable_pos_fin_num _ _ _ lambda A mA _ intA.
have hA2 := @integrable_neg_fin_num _ _ _ lambda A mA _ intA.
have hB1 := @integrable_pos_fin_num _ _ _ lambda B mB _ intB.
have hB2 := @integrable_neg_fin_num _ _ _ lambda B mB _ intB.
move: hA1 hA2 hB1 hB2.
set a1 := \int[lambda]_(x in A) _; set a2 := \int[lambda]_(x in A) _.
set b1 := \int[lambda]_(x in B) _; set b2 := \int[lambda]_(x in B) _.
move=> /fineK <- /fineK <- /fineK <- /fineK <-.
by rewrite -!EFinN -!EFinD; congr EFin; to_std; lra.
Qed.

End setU.

Lemma itv_ocU (u v w : R) : u <= v -> v <= w ->
  `]u, w]%classic = `]u, v]%classic `|` `]v, w]%classic :> set R.
Proof.
move=> uv vw; apply/seteqP; split => x /=; rewrite !in_itv/=.
  by move=> /andP[ux xw]; case: (leP x v) => xv; [left|right]; apply/andP.
move=> [/andP[ux xv]|/andP[vx xw]]; apply/andP; split => //.
  exact: le_trans xv vw.
exact: le_lt_trans uv vx.
Qed.

Lemma itv_ocI (u v w : R) : `]u, v]%classic `&` `]v, w]%classic = set0 :> set R.
Proof.
apply/seteqP; split => x //=; rewrite !in_itv/= => -[/andP[_ xv] /andP[vx _]].
by move: (le_lt_trans xv vx); rewrite ltxx.
Qed.

Lemma lebesgue_itv_oc (u v : R) : u <= v -> lambda `]u, v]%classic = (v - u)%:E.
Proof.
move=> uv; rewrite lebesgue_measure_itv hlength_itv/= lte_fin.
case: (ltP u v) => [_|vu]; first by rewrite -EFinD.
have -> : v = u by apply/eqP; rewrite eq_le uv vu.
by rewrite subrr.
Qed.

Lemma integrable_itv_cst (u v k : R) :
  lambda.-integrable `]u, v]%classic (fun=> k%:E).
Proof.
split; first exact: measurable_fun_cst.
rewrite (_ : (fun x => `|k%:E|) = cst `|k|%:E)%E; last by apply: funext.
rewrite integral_cst//; case: (leP u v) => uv.
  rewrite [X in (_ * X)%E](_ : _ = lambda `]u, v]%classic)//.
  by rewrite lebesgue_itv_oc// -EFinM ltry.
rewrite set_itv_ge ?measure0 ?mule0 ?ltry//.
by rewrite bnd_simp -leNgt ltW.
all: exact: measurable_itv.
Qed.

Lemma integrable_itv_continuous (f : R -> R) (u v : R) : continuous f ->
  lambda.-integrable `]u, v]%classic (EFin \o f).
Proof.
move=> cf; case: (leP u v) => uv; last first.
  rewrite set_itv_ge; last by rewrite -leNgt bnd_simp ltW.
  split; first by move=> _ Y mY; rewrite set0I.
  by rewrite integral_set0 ltry.
have [c _ Hc] := @EVT_max _ (fun x => `|f x|) u v uv
  (continuous_subspaceT (fun x => continuous_comp (cf x) (@norm_continuous _ _ _))).
apply: (@le_integrable _ _ _ lambda _ (measurable_itv _) _
  (fun=> `|f c|%:E)); last exact: integrable_itv_cst.
  apply/EFin_measurable_fun; apply: (measurable_funS measurableT) => //.
  exact: continuous_measurable_fun.
move=> x; rewrite /= in_itv/= => /andP[ux xv].
rewrite !lee_fin normr_id Hc// in_itv/= xv andbT ltW//.
Qed.

Lemma quot_bound (X k h E : R) : h != 0 ->
  `|X - h * k| <= E * `|h| -> `|k - h^-1 * X| <= E.
Proof.
move=> h0 H.
have -> : k - h^-1 * X = h^-1 * (h * k - X).
  by rewrite mulrBr mulrA mulVf// mul1r.
rewrite normrM normfV ler_pdivr_mull ?normr_gt0// distrC mulrC.
by rewrite mulrC (mulrC _ E).
Qed.

Section ftc.
Variable f : R -> R.
Hypothesis cf : continuous f.

Let intf u v : lambda.-integrable `]u, v]%classic (EFin \o f) :=
  integrable_itv_continuous u v cf.

Lemma integral_itv_oc_split u v w : u <= v -> v <= w ->
  (\int[lambda]_(x in `]u, w]) (f x)%:E =
   \int[lambda]_(x in `]u, v]) (f x)%:E + \int[lambda]_(x in `]v, w]) (f x)%:E)%E.
Proof.
move=> uv vw; rewrite (itv_ocU uv vw) integral_setU_EFin//; first exact: itv_ocI.
by rewrite -itv_ocU //; exact: intf.
Qed.

Let G c t := fine (\int[lambda]_(x in `]c, t]) (f x)%:E)%E.

Let fin u v : (\int[lambda]_(x in `]u, v]) (f x)%:E)%E \is a fin_num.
Proof. by apply: integral_fune_fin_num; [exact: measurable_itv|exact: intf]. Qed.

Let G_sub c u v : c <= u -> u <= v ->
  G c v - G c u = fine (\int[lambda]_(x in `]u, v]) (f x)%:E)%E.
Proof.
move=> cu uv; rewrite /G (integral_itv_oc_split cu uv) fineD ?fin//.
by rewrite addrC addKr.
Qed.

Lemma itv_oc_avg u v t e : 0 <= e -> u <= v ->
  (forall x, u < x <= v -> `|f x - f t| <= e) ->
  `|fine (\int[lambda]_(x in `]u, v]) (f x)%:E)%E - (v - u) * f t|
    <= e * (v - u).
Proof.
move=> e0 uv H.
have intc : lambda.-integrable `]u, v]%classic (EFin \o (fun=> f t)).
  exact: integrable_itv_cst.
have intfuv := intf u v.
have -> : fine (\int[lambda]_(x in `]u, v]) (f x)%:E)%E - (v - u) * f t =
    fine (\int[lambda]_(x in `]u, v]) ((f x)%:E - (f t)%:E))%E.
  rewrite integralB_EFin//.
  rewrite [X in (_ - X)%E](_ : _ = ((f t)%:E * lambda `]u, v]%classic)%E); last first.
    by apply: (@integral_cst _ _ _ lambda _ (measurable_itv _) (f t)%:E).
  by rewrite lebesgue_itv_oc// -EFinM fineB ?fin// mulrC.
have finB : (\int[lambda]_(x in `]u, v]) ((f x)%:E - (f t)%:E))%E \is a fin_num.
  rewrite integralB_EFin//.
  rewrite fin_numB fin/=.
  exact: (@integral_fune_fin_num _ _ _ lambda _ (measurable_itv _) _ intc).
move: finB; set J := (\int[lambda]_(x in _) _)%E => finB.
suff HJ : (`|J| <= (e * (v - u))%:E)%E.
  by move: HJ; rewrite -[in X in X -> _](fineK finB) /= lee_fin.
apply: le_trans (le_abse_integral _ _ _) _ => //.
  apply: emeasurable_funB; first by case: (intf u v).
  exact: measurable_fun_cst.
have mB : measurable_fun `]u, v]%classic (fun x => (f x)%:E - (f t)%:E)%E.
  apply: emeasurable_funB; first by case: (intf u v).
  exact: measurable_fun_cst.
have mA := measurable_fun_comp (@measurable_fun_abse _ setT) mB.
apply: (@le_trans _ _ (\int[lambda]_(x in `]u, v]) (cst e%:E x))%E).
  apply: ge0_le_integral => //.
  exact: measurable_fun_cst.
rewrite integral_cst//.
rewrite [X in (_ * X)%E](_ : _ = lambda `]u, v]%classic)//.
by rewrite lebesgue_itv_oc// -EFinM.
Qed.

Lemma ftc_is_derive c t : c < t -> is_derive t 1 (G c) (f t).
Proof.
move=> ct; apply/is_derive1P/cvgrPdist_lt => e e0.
have e20 : 0 < e / 2 by rewrite divr_gt0.
have /cvgrPdist_le/(_ (e / 2) e20)/nbhs_ballP[d /= d0 Hd] : f x @[x --> t] --> f t by exact: cf.
apply/near_dnbhs0P; exists (minr d (t - c)).
  by rewrite lt_minr d0 subr_gt0.
move=> h; rewrite lt_minr => /andP[hd htc] h0.
have bnd x : `|x - t| <= `|h| -> `|f x - f t| <= e / 2.
  move=> xt; rewrite distrC; apply: Hd.
  by rewrite /ball /= distrC (le_lt_trans xt).
have e2e : e / 2 < e by rewrite ltr_pdivr_mulr// ltr_pmulr// ltr1n.
apply: (le_lt_trans _ e2e); apply: quot_bound => //.
have ch : c <= h + t.
  move: htc; rewrite ltr_norml => /andP[/RltP H1 _].
  apply/RleP; to_std_in H1; to_std; lra.
have ctl := ltW ct.
case: (ltP 0 h) => hpos.
  rewrite G_sub//; last by rewrite ler_addr ltW.
  rewrite (gtr0_norm hpos).
  have := @itv_oc_avg t (h + t) t (e / 2) (ltW e20).
  rewrite addrK; apply; first by rewrite ler_addr ltW.
  move=> x /andP[tx xht]; apply: bnd.
  by rewrite gtr0_norm ?subr_gt0// ler_subl_addr (gtr0_norm hpos).
have hneg : h < 0 by rewrite lt_neqAle h0 hpos.
rewrite -opprB G_sub//; last by rewrite ger_addr.
rewrite (ltr0_norm hneg) -normrN opprD opprK -mulNr.
have := @itv_oc_avg (h + t) t t (e / 2) (ltW e20).
have -> : t - (h + t) = - h by to_std; lra.
apply; first by rewrite ger_addr ltW.
move=> x /andP[htx xt]; apply: bnd.
rewrite ler0_norm ?subr_le0// opprB (ltr0_norm hneg) ler_subl_addr.
by move/RltP: htx => htx; apply/RleP; to_std_in htx; to_std; lra.
Qed.

Theorem newton_leibniz (F : R -> R) (a b : R) : a <= b ->
  (forall x, is_derive x 1 F (f x)) ->
  (\int[lambda]_(x in `]a, b]) (f x)%:E = (F b - F a)%:E)%E.
Proof.
move=> ab dF; pose c := a - 1.
have ca : c < a by rewrite /c ltr_subl_addr ltr_addl ltr01.
pose H := fun y => G c y - F y.
have dH x : c < x -> is_derive x 1 H 0.
  move=> cx; rewrite -(subrr (f x)).
  exact: (is_deriveB (f := G c) (g := F) (ftc_is_derive cx) (dF x)).
have sub z : z \in `[a, b] -> c < z.
  by rewrite in_itv/= => /andP[az _]; exact: lt_le_trans az.
have dH' : forall z, z \in `]a, b[ -> is_derive z 1 H 0.
  by move=> z zab; apply: dH; apply: sub; exact: subset_itv_oo_cc.
have cH : {within `[a, b], continuous H}.
  apply: continuous_in_subspaceT => z /set_mem /sub /dH[dz _].
  exact/differentiable_continuous/derivable1_diffP.
have [z _] := @MVT_segment _ H (fun=> 0) a b ab dH' cH.
rewrite mul0r /H => /eqP; rewrite subr_eq0 => /eqP HE.
have -> : F b - F a = G c b - G c a.
  by move: HE; to_std => HE; lra.
have cal := ltW ca.
by rewrite G_sub// fineK//; apply: fin.
Qed.

End ftc.

Lemma near_itv_oc (x : R) : \forall n \near \oo, x \in `]- n%:R, n%:R].
Proof.
exists (Num.bound `|x|) => // n /= Nn.
have xn : `|x| < n%:R.
  apply: lt_le_trans (archi_boundP (normr_ge0 x)) _.
  by rewrite ler_nat.
by move: xn; rewrite ltr_norml in_itv/= => /andP[-> /ltW ->].
Qed.

Lemma itv_oc_nd (n m : nat) : (n <= m)%N ->
  `]- n%:R, n%:R]%classic `<=` (`]- m%:R, m%:R]%classic : set R).
Proof.
move=> nm x; rewrite /= !in_itv/= => /andP[nx xn]; apply/andP; split.
  by apply: le_lt_trans nx; rewrite ler_oppl opprK ler_nat.
by apply: le_trans xn _; rewrite ler_nat.
Qed.

Section improper.
Variables (f F : R -> R).
Hypothesis cf : continuous f.
Hypothesis dF : forall x, is_derive x 1 F (f x).

Let mf : measurable_fun setT (EFin \o f).
Proof. by apply/EFin_measurable_fun; exact: continuous_measurable_fun. Qed.

Let g n := (EFin \o f) \_ (`]- n%:R, n%:R]%classic : set R).

Let mg n : measurable_fun setT (g n).
Proof.
apply/(measurable_restrict _ (measurable_itv _) measurableT) => //.
exact: measurable_funS mf.
Qed.

Let int_g n : (\int[lambda]_x g n x = (F n%:R - F (- n%:R))%:E)%E.
Proof.
rewrite -integral_mkcond newton_leibniz//.
by rewrite (@le_trans _ _ 0)// ?oppr_le0 ?ler0n.
Qed.

Let g_cvg x : g ^~ x --> (EFin \o f) x.
Proof.
apply: cvg_near_cst; have := near_itv_oc x; apply: filterS => n xn.
by rewrite /g /patch mem_set.
Qed.

(** A nonnegative continuous function with a bounded primitive is
    integrable on the whole line. *)
Lemma integrable_bounded_primitive (M : R) :
  (forall x, 0 <= f x) -> (forall x, `|F x| <= M) ->
  lambda.-integrable setT (EFin \o f).
Proof.
move=> f0 FM; split => //.
have g0 n x : (0 <= g n x)%E.
  by rewrite /g /patch; case: ifP => // _; rewrite /= lee_fin.
have nd_g x : {homo g ^~ x : n m / (n <= m)%N >-> (n <= m)%E}.
  move=> n m nm; rewrite /g !/patch; case: ifPn => xn.
  by rewrite (mem_set (itv_oc_nd nm (set_mem xn))).
  by case: ifP => // _; rewrite /= lee_fin.
have := @cvg_monotone_convergence _ _ _ lambda setT measurableT g
  (fun n => mg n) (fun n x _ => g0 n x) (fun x _ => nd_g x).
have -> : (fun x => lim (g ^~ x)) = EFin \o f.
  by apply: funext => x; apply: cvg_lim => //; exact: g_cvg.
move=> cvgI; rewrite (_ : (fun x => `|(EFin \o f) x|%E) = EFin \o f); last first.
  by apply: funext => x /=; rewrite ger0_norm.
rewrite -(cvg_lim _ cvgI)//.
apply: (@le_lt_trans _ _ (M *+ 2)%:E); last exact: ltry.
apply: lime_le; first by apply/cvg_ex; eexists; exact: cvgI.
apply: nearW => n; rewrite int_g lee_fin.
have := FM n%:R; have := FM (- n%:R); rewrite !ler_norml.
move=> /andP[/RleP + /RleP +] /andP[/RleP + /RleP +].
rewrite mulr2n; to_std; move=> ? ? ? ?; apply/RleP; to_std.
lra.
Qed.

(** Improper Newton-Leibniz: for [f] integrable on the line with primitive
    [F], [\int f = lim F(n) - lim F(-n)]. *)
Theorem integral_improper (L0 L1 : R) :
  lambda.-integrable setT (EFin \o f) ->
  (fun n => F n%:R) --> L1 -> (fun n => F (- n%:R)) --> L0 ->
  (\int[lambda]_x (f x)%:E = (L1 - L0)%:E)%E.
Proof.
move=> intf FL1 FL0.
have gc : {ae lambda, forall x, setT x -> g ^~ x --> (EFin \o f) x}.
  by apply: aeW => x _; exact: g_cvg.
have gb : {ae lambda, forall x n, setT x -> (`|g n x| <= (abse \o (EFin \o f)) x)%E}.
  apply: aeW => x n _; rewrite /g /patch; case: ifP => _ //=.
  by rewrite normr0 lee_fin.
have [_ _ cvgI] := @dominated_convergence _ _ _ lambda setT measurableT g
  (EFin \o f) (abse \o (EFin \o f)) (fun n => mg n) mf
  gc (integrable_abse measurableT intf) gb.
have cvgJ : (fun n => (F n%:R - F (- n%:R))%:E) --> (L1 - L0)%:E.
  by apply/fine_cvgP; split; [exact: nearW|exact: cvgB].
move: cvgJ; rewrite -(funext int_g) => cvgJ.
exact: (@cvg_unique _ _ _ _ _ _ cvgI cvgJ).
Qed.

End improper.
