package dynamo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/peerj/memon/pkg/memon"
)

// CONFIG alerts whose publish failed wait in one item of the history table
// (a name no event can have, like the poll lease's) until a poll publishes
// them. Every poll reads it, so every poll knows an alert is undelivered and
// says so: an unknown event has no item of its own to keep an outbox.
const (
	configOutboxName = "~memon-config"
	configOutboxTime = "outbox"
	attrProblems     = "Problems" // M name -> problem
	namesPerUpdate   = 50         // expression attribute names per UpdateItem, well inside DynamoDB's limits
)

func configOutboxKey() Item { return historyKey(configOutboxName, configOutboxTime) }

// HeldConfigAlerts returns the CONFIG alerts waiting to be published, by name.
func (s *Store) HeldConfigAlerts(ctx context.Context) ([]memon.ConfigProblem, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.history, Key: configOutboxKey(), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, fmt.Errorf("read the waiting CONFIG alerts: %w", err)
	}
	m, _ := out.Item[attrProblems].(*types.AttributeValueMemberM)
	if m == nil {
		return nil, nil
	}
	var held []memon.ConfigProblem
	for name, v := range m.Value {
		p, _ := v.(*types.AttributeValueMemberS)
		if p != nil {
			held = append(held, memon.ConfigProblem{Name: name, Problem: p.Value})
		}
	}
	sort.Slice(held, func(i, j int) bool { return held[i].Name < held[j].Name })
	return held, nil
}

// HoldConfigAlerts adds CONFIG alerts whose publish failed to the waiting ones.
func (s *Store) HoldConfigAlerts(ctx context.Context, problems []memon.ConfigProblem) error {
	if len(problems) == 0 {
		return nil
	}
	if _, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &s.history, Key: configOutboxKey(),
		UpdateExpression:          aws.String("SET #p = if_not_exists(#p, :empty)"),
		ExpressionAttributeNames:  map[string]string{"#p": attrProblems},
		ExpressionAttributeValues: Item{":empty": &types.AttributeValueMemberM{Value: Item{}}},
	}); err != nil {
		return fmt.Errorf("hold CONFIG alerts: %w", err)
	}
	for start := 0; start < len(problems); start += namesPerUpdate {
		names := map[string]string{"#p": attrProblems}
		values := Item{}
		var sets []string
		for i, p := range problems[start:min(start+namesPerUpdate, len(problems))] {
			n, v := "#n"+strconv.Itoa(i), ":v"+strconv.Itoa(i)
			names[n], values[v] = p.Name, &types.AttributeValueMemberS{Value: p.Problem}
			sets = append(sets, "#p."+n+" = "+v)
		}
		if _, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.history, Key: configOutboxKey(),
			UpdateExpression:          aws.String("SET " + strings.Join(sets, ", ")),
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}); err != nil {
			return fmt.Errorf("hold CONFIG alerts: %w", err)
		}
	}
	return nil
}

// DropHeldConfigAlerts removes waiting CONFIG alerts once published.
func (s *Store) DropHeldConfigAlerts(ctx context.Context, names []string) error {
	for start := 0; start < len(names); start += namesPerUpdate {
		attrs := map[string]string{"#p": attrProblems}
		var rems []string
		for i, name := range names[start:min(start+namesPerUpdate, len(names))] {
			n := "#n" + strconv.Itoa(i)
			attrs[n] = name
			rems = append(rems, "#p."+n)
		}
		if _, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.history, Key: configOutboxKey(),
			UpdateExpression:         aws.String("REMOVE " + strings.Join(rems, ", ")),
			ExpressionAttributeNames: attrs,
		}); err != nil {
			return fmt.Errorf("drop published CONFIG alerts: %w", err)
		}
	}
	return nil
}
